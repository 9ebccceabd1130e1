package download

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sync"

	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/walk"
)

// TreeOptions tune a folder download.
type TreeOptions struct {
	Options
	// Walk bounds the listing (depth, backlog, names in errors); its Sink, Root and OnEntry are
	// the engine's.
	Walk walk.Options
}

// localDir is a folder being recreated: its path from the target directory, the names handed out
// in it, and why it could not be created.
type localDir struct {
	path  string
	names Names
	err   error
}

func (d *localDir) join(name string) string {
	if d.path == "" {
		return name
	}
	return d.path + "/" + name
}

type job struct {
	r    *sharing.Remote
	name string
	dir  *localDir
}

// Tree downloads the folder root and everything below it into root/<its name>, listing with list
// (a walk from the folder itself) while o.Concurrency workers download what the walk has found. Each
// file's Result goes to each (one call at a time). Folders are created as they are found, empty ones
// too. It returns the number of files that failed, and the listing's error, if any: files found
// before a listing failed are still downloaded.
func Tree(ctx context.Context, d sharing.Downloader, list walk.Lister, rootItem *sharing.Remote, root *os.Root, o TreeOptions, each func(Result)) (failed int, err error) {
	o.fill()
	top := &localDir{}
	topName := top.names.Take(rootItem.Name, false)
	base := &localDir{path: topName}
	base.err = mkdir(root, topName)

	jobs := make(chan job, o.Concurrency)
	var mu sync.Mutex
	report := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		if r.Status == Failed {
			failed++
		}
		o.Progress.Done(r)
		if each != nil {
			each(r)
		}
	}
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				name := j.dir.join(j.name)
				if j.dir.err != nil {
					o.Progress.Expect(0, -j.r.Size)
					report(Result{Path: name, Remote: j.r, Status: Failed, Err: j.dir.err})
					continue
				}
				if ctx.Err() != nil {
					o.Progress.Expect(0, -j.r.Size)
					report(Result{Path: name, Remote: j.r, Status: Failed, Err: ctx.Err()})
					continue
				}
				res := save(ctx, d, j.r, root, name, o.Options)
				if j.name != LocalName(j.r, o.Format) {
					res.Notes = append(res.Notes, RenameNote(j.r))
				}
				report(res)
			}
		})
	}

	wo := o.Walk
	wo.Concurrency = o.Concurrency
	wo.Root = base
	wo.Sink = func(string, []sharing.Entry) error { return nil }
	var entryErr error
	wo.OnEntry = func(parent any, e sharing.Entry) any {
		dir := parent.(*localDir)
		r, err := d.RemoteOf(rootItem, e)
		if err != nil {
			if entryErr == nil {
				entryErr = fmt.Errorf("%s: %w", dir.join(SafeName(e.Name)), err)
			}
			return nil
		}
		if r.IsFolder {
			sub := &localDir{path: dir.join(dir.names.Take(r.Name, false)), err: dir.err}
			if sub.err == nil {
				sub.err = mkdir(root, sub.path)
			}
			return sub
		}
		name := dir.names.Take(LocalName(r, o.Format), true)
		o.Progress.Expect(1, r.Size)
		select {
		case jobs <- job{r: r, name: name, dir: dir}:
		case <-ctx.Done():
			o.Progress.Expect(0, -r.Size)
		}
		return nil
	}
	err = walk.Walk(ctx, list, wo)
	close(jobs)
	wg.Wait()
	if err == nil {
		err = entryErr
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return failed, err
}

// mkdir creates a folder of the tree (and the folders above it) inside root. os.Root refuses a
// path that leads outside, a symbolic link's included: the error then says which link.
func mkdir(root *os.Root, dir string) error {
	err := root.MkdirAll(dir, 0o777)
	if err == nil {
		return nil
	}
	for p := dir; p != "." && p != ""; p = path.Dir(p) {
		if st, lerr := root.Lstat(p); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			if _, serr := root.Stat(p); serr != nil {
				return fmt.Errorf("%s is a symbolic link that leads outside the target folder (or nowhere): nothing is written through it", p)
			}
		}
	}
	return fmt.Errorf("create folder %s: %w", dir, err)
}

// RenameNote says what a file saved under a safe name is called remotely.
func RenameNote(r *sharing.Remote) string {
	return fmt.Sprintf("the remote name is %q", r.Name)
}
