// Package walk lists a folder and every folder below it through any provider, with a fixed pool
// of workers and bounds that a broken or hostile server cannot get past.
package walk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/odshare/odshare/internal/sharing"
)

// Lister lists one folder a page at a time (sharing.Provider.ListChildren for one share): the
// walk's root for the zero Folder.
type Lister func(ctx context.Context, folder sharing.Folder, each func([]sharing.Entry) error) error

// Options tune a walk.
type Options struct {
	// Concurrency is how many folders are listed at once; less than 1 means 1.
	Concurrency int
	// MaxDepth bounds how many levels below the root the walk goes; deeper is a *DepthError.
	MaxDepth int
	// MaxBacklog bounds the folders found but not yet listed; more is a *BacklogError.
	MaxBacklog int
	// RootName names the root in errors ("list shared folder: …"); below it, folders are named by
	// their path from the root.
	RootName string
	// Sink gets every page, one call at a time, with the path of its folder from the root ("" for
	// the root); its error stops the walk.
	Sink func(dir string, entries []sharing.Entry) error
	// Root is the caller's value for the root folder (a tree node); nil for none.
	Root any
	// OnEntry, when set, is called for every entry after Sink, one at a time, with the caller's
	// value for its folder; what it returns is the value of the entry's folder when the walk
	// descends into it. A tree is built this way.
	OnEntry func(parent any, e sharing.Entry) any
	// Clean, when set, makes a folder's path (server text) safe to print in an error.
	Clean func(string) string
	// OnProgress, when set, is told after each page how many items were listed and how many
	// folders begun, so far.
	OnProgress func(items, folders int)
}

// DepthError is a folder deeper below the root than Options.MaxDepth allows.
type DepthError struct {
	Path       string
	Depth, Max int
}

func (e *DepthError) Error() string {
	return fmt.Sprintf("%s is %d folders deep, more than --max-depth %d allows (raise it to go deeper)", e.Path, e.Depth, e.Max)
}

// BacklogError is more folders waiting to be listed than Options.MaxBacklog allows.
type BacklogError struct{ Max int }

func (e *BacklogError) Error() string {
	return fmt.Sprintf("more than %d folders are waiting to be listed, the most --max-backlog allows (raise it for a folder this wide)", e.Max)
}

// job is one folder to list: the root (the zero Folder) or one an entry gave. Jobs point at their
// parent, so a queued folder costs its own address and name, not a copy of its path or ancestry.
type job struct {
	folder sharing.Folder
	name   string
	parent *job
	depth  int // 0 for the root
	data   any
}

// path is the folder's path from the root; "" for the root.
func (j *job) path() string {
	var names []string
	for ; j != nil && j.parent != nil; j = j.parent {
		names = append(names, j.name)
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// within reports whether key is this folder or one it sits in. A shortcut to one of them would
// make the walk endless; any other folder, shortcut or not, is listed.
func (j *job) within(key string) bool {
	for ; j != nil; j = j.parent {
		if j.folder.Key == key {
			return true
		}
	}
	return false
}

// walker lists the root and its subfolders with a fixed pool of workers taking folders from one
// bounded stack. Memory stays flat: a discovered folder is a small job on the stack (at most
// MaxBacklog of them), never a goroutine, and the walk fails rather than grow past MaxDepth
// levels. Taking the newest folder first (depth first) keeps the stack short: it holds the
// unlisted siblings along one path, not a whole level of the tree.
type walker struct {
	ctx    context.Context
	cancel context.CancelFunc
	list   Lister
	o      Options

	mu             sync.Mutex // guards everything below, serialises Sink and OnEntry calls
	cond           *sync.Cond
	stack          []*job
	busy           int // folders being listed
	err            error
	items, folders int
}

// Walk lists the root and every folder below it, handing each page to o.Sink. The first error
// (a listing's, Sink's, or a bound's) stops the walk and is returned, wrapped with the folder it
// happened in; so is ctx's.
func Walk(ctx context.Context, list Lister, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &walker{ctx: ctx, cancel: cancel, list: list, o: o, stack: []*job{{data: o.Root}}}
	w.cond = sync.NewCond(&w.mu)
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for range max(o.Concurrency, 1) {
		wg.Go(w.work)
	}
	wg.Wait()
	if w.err != nil {
		return w.err
	}
	return ctx.Err()
}

// work lists folders until none is left or the walk has failed.
func (w *walker) work() {
	for {
		j := w.next()
		if j == nil {
			return
		}
		err := w.listOne(j)
		if err != nil {
			where := w.o.RootName
			if p := j.path(); p != "" {
				where = w.clean(p)
			}
			err = fmt.Errorf("list %s: %w", where, err)
		}
		w.done(err)
	}
}

// listOne lists one folder, handing its pages to w.page. A panic here (in a worker goroutine, out
// of app.Run's reach) becomes the walk's error.
func (w *walker) listOne(j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &sharing.PanicError{Value: r}
		}
	}()
	return w.list(w.ctx, j.folder, func(page []sharing.Entry) error { return w.page(j, page) })
}

// next takes the newest queued folder, waiting while other workers may still queue some; nil
// means the walk is over (finished, failed or cancelled).
func (w *walker) next() *job {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.stack) == 0 && w.busy > 0 && w.err == nil && w.ctx.Err() == nil {
		w.cond.Wait()
	}
	if len(w.stack) == 0 || w.err != nil || w.ctx.Err() != nil {
		w.cond.Broadcast()
		return nil
	}
	j := w.stack[len(w.stack)-1]
	w.stack[len(w.stack)-1] = nil
	w.stack = w.stack[:len(w.stack)-1]
	w.busy++
	w.folders++
	return j
}

// done ends one folder's listing; the first error stops the walk (later ones are its
// consequences).
func (w *walker) done(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy--
	if err != nil && w.err == nil {
		w.err = err
		w.cancel()
	}
	w.cond.Broadcast()
}

// page hands one page to the sink and queues the subfolders on it.
func (w *walker) page(j *job, entries []sharing.Entry) error {
	for _, e := range entries {
		if e.Err != nil {
			return e.Err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.ctx.Err()
	}
	if err := w.o.Sink(j.path(), entries); err != nil {
		return err
	}
	for _, e := range entries {
		var data any
		if w.o.OnEntry != nil {
			data = w.o.OnEntry(j.data, e)
		}
		if e.Folder == nil && e.FolderErr == nil {
			continue
		}
		if e.FolderErr != nil {
			return e.FolderErr
		}
		if j.within(e.Folder.Key) {
			continue // a shortcut back into its own ancestry
		}
		sub := &job{folder: *e.Folder, name: e.Name, parent: j, depth: j.depth + 1, data: data}
		if sub.depth > w.o.MaxDepth {
			return &DepthError{Path: w.clean(sub.path()), Depth: sub.depth, Max: w.o.MaxDepth}
		}
		if len(w.stack) >= w.o.MaxBacklog {
			return &BacklogError{Max: w.o.MaxBacklog}
		}
		w.stack = append(w.stack, sub)
	}
	w.items += len(entries)
	if w.o.OnProgress != nil {
		w.o.OnProgress(w.items, w.folders)
	}
	w.cond.Broadcast()
	return nil
}

func (w *walker) clean(s string) string {
	if w.o.Clean == nil {
		return s
	}
	return w.o.Clean(s)
}
