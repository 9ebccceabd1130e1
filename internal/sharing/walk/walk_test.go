package walk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/odshare/odshare/internal/sharing"
)

// endless is a tree whose folders never end: every folder listed holds width new subfolders.
func endless(width int, listings *atomic.Int64) Lister {
	var next atomic.Int64
	return func(ctx context.Context, _ sharing.Folder, each func([]sharing.Entry) error) error {
		listings.Add(1)
		page := make([]sharing.Entry, width)
		for i := range page {
			id := fmt.Sprintf("f%d", next.Add(1))
			page[i] = sharing.Entry{Name: id, IsFolder: true, Folder: &sharing.Folder{Key: id, Ref: id}}
		}
		return each(page)
	}
}

// testRuntimeError is a runtime.Error raised on purpose, as Go raises one for a bug (a nil map, an
// index out of range); PanicError shows the text of those alone.
type testRuntimeError string

func (e testRuntimeError) Error() string { return "runtime error: " + string(e) }
func (testRuntimeError) RuntimeError()   {}

// TestWalkWorkerPanicIsAnError: a panic while a worker handles a page (a goroutine app.Run's
// recover can't reach) ends the walk with the one-line internal error, not a crash.
func TestWalkWorkerPanicIsAnError(t *testing.T) {
	var n atomic.Int64
	err := Walk(context.Background(), endless(1, &n), Options{MaxDepth: 5, MaxBacklog: 5, RootName: "shared folder",
		Sink: func(string, []sharing.Entry) error {
			panic(testRuntimeError("boom")) // on purpose: what a bug in the sink would raise
		}})
	var pe *sharing.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "internal error: runtime error: boom") ||
		!strings.HasPrefix(err.Error(), "list shared folder: ") {
		t.Fatalf("err = %v, want the internal error", err)
	}
}

// TestWalkBounds: depth and width bounds end an endless tree with typed errors naming the folder.
func TestWalkBounds(t *testing.T) {
	var n atomic.Int64
	sink := func(string, []sharing.Entry) error { return nil }
	err := Walk(context.Background(), endless(1, &n), Options{MaxDepth: 3, MaxBacklog: 10, Sink: sink, Clean: strings.ToUpper})
	var de *DepthError
	if !errors.As(err, &de) || err.Error() != "list F1/F2/F3: F1/F2/F3/F4 is 4 folders deep, more than --max-depth 3 allows (raise it to go deeper)" {
		t.Errorf("depth: %v", err)
	}
	n.Store(0)
	err = Walk(context.Background(), endless(20, &n), Options{MaxDepth: 10, MaxBacklog: 10, Sink: sink, RootName: "root"})
	var be *BacklogError
	if !errors.As(err, &be) || !strings.HasPrefix(err.Error(), "list root: more than 10 folders are waiting") || n.Load() != 1 {
		t.Errorf("backlog: %v after %d listings", err, n.Load())
	}
}

// TestWalkTreeAndCycles: OnEntry builds a tree from the root value, a folder's unreadable address
// stops the walk, and a shortcut back into its own ancestry is listed but not followed.
func TestWalkTreeAndCycles(t *testing.T) {
	type node struct {
		name     string
		children []*node
	}
	tree := map[string][]sharing.Entry{
		"":  {{Name: "a", Folder: &sharing.Folder{Key: "A"}}, {Name: "f.txt"}},
		"A": {{Name: "back", Folder: &sharing.Folder{Key: "A"}}, {Name: "g.txt"}},
	}
	list := func(_ context.Context, f sharing.Folder, each func([]sharing.Entry) error) error {
		return each(tree[f.Key])
	}
	root := &node{name: "/"}
	var dirs []string
	err := Walk(context.Background(), list, Options{MaxDepth: 5, MaxBacklog: 5, Root: root,
		Sink: func(dir string, _ []sharing.Entry) error { dirs = append(dirs, dir); return nil },
		OnEntry: func(parent any, e sharing.Entry) any {
			n := &node{name: e.Name}
			p := parent.(*node)
			p.children = append(p.children, n)
			return n
		}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(dirs, ",") != ",a" || len(root.children) != 2 || len(root.children[0].children) != 2 {
		t.Errorf("dirs %q, tree %+v", dirs, root)
	}
	tree["A"] = []sharing.Entry{{Name: "lost", FolderErr: errors.New("no address")}}
	err = Walk(context.Background(), list, Options{MaxDepth: 5, MaxBacklog: 5, Sink: func(string, []sharing.Entry) error { return nil }})
	if err == nil || err.Error() != "list a: no address" {
		t.Errorf("err = %v", err)
	}
	tree["A"] = []sharing.Entry{{Name: "bad", Err: errors.New("decode drive item: bad")}}
	sunk := 0
	err = Walk(context.Background(), list, Options{MaxDepth: 5, MaxBacklog: 5, Sink: func(string, []sharing.Entry) error { sunk++; return nil }})
	if err == nil || err.Error() != "list a: decode drive item: bad" || sunk != 1 {
		t.Errorf("err = %v after %d pages", err, sunk)
	}
}
