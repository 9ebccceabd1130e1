// Command naiveaudit is the peer `make bench` measures `odshare link audit` against: the way
// admins audit sharing today with Graph PowerShell, PnP or the CLI for Microsoft 365 (notes §1.3),
// one item at a time. It walks the folder with GET {folder}/children (every page, $top=999), and
// reads GET /drives/{d}/items/{id}/permissions for every item it finds, folders and files alike,
// with a few workers. A 429 or 503 is waited out for its Retry-After by the worker that got it, as
// those tools' retry handlers do. It stops at -duration (0: when the walk is done) and prints what
// it did as one JSON object, so a run too long to finish can be measured for a while and
// extrapolated. Stdlib only; a peer, not a client: no bounds or checks beyond what the
// measurement needs.
//
//	naiveaudit -token T -duration 60s https://127.0.0.1:PORT/v1.0 DRIVE-ID FOLDER-ID
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type counts struct {
	Listed      int64   `json:"itemsListed"`
	Read        int64   `json:"permissionsRead"`
	Links       int64   `json:"linksSeen"`
	Requests    int64   `json:"requests"`
	Throttled   int64   `json:"throttled"`
	Seconds     float64 `json:"seconds"`
	Finished    bool    `json:"finished"`
	ReadPerSec  float64 `json:"permissionsReadPerSecond"`
	Concurrency int     `json:"concurrency"`
}

func main() {
	token := flag.String("token", "", "bearer token")
	duration := flag.Duration("duration", 0, "stop after this long (0: when done)")
	workers := flag.Int("concurrency", 4, "requests in flight")
	flag.Parse()
	if flag.NArg() != 3 {
		fmt.Fprintln(os.Stderr, "usage: naiveaudit -token T [-duration D] BASE-URL DRIVE-ID FOLDER-ID")
		os.Exit(2)
	}
	ctx := context.Background()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	a := &auditor{base: flag.Arg(0), drive: flag.Arg(1), token: *token, c: counts{Concurrency: *workers}}
	start := time.Now()
	a.c.Finished = a.run(ctx, flag.Arg(2), *workers) == nil
	a.c.Seconds = time.Since(start).Seconds()
	a.c.ReadPerSec = float64(a.c.Read) / a.c.Seconds
	_ = json.NewEncoder(os.Stdout).Encode(a.c)
}

type auditor struct {
	base, drive, token string
	c                  counts
}

// run lists folders and reads permissions with n workers sharing one queue of jobs.
func (a *auditor) run(ctx context.Context, root string, n int) error {
	type job struct {
		id     string
		folder bool
	}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		queue   = []job{{root, true}}
		pending = 1 // queued or being worked on
		wg      sync.WaitGroup
		failed  error
	)
	stop := context.AfterFunc(ctx, func() { mu.Lock(); cond.Broadcast(); mu.Unlock() })
	defer stop()
	for range n {
		wg.Go(func() {
			for {
				mu.Lock()
				for len(queue) == 0 && pending > 0 && ctx.Err() == nil {
					cond.Wait()
				}
				if len(queue) == 0 || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				j := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				mu.Unlock()
				var found []job
				err := a.permissions(ctx, j.id)
				if err == nil && j.folder {
					err = a.children(ctx, j.id, func(id string, folder bool) { found = append(found, job{id, folder}) })
				}
				mu.Lock()
				if err != nil && failed == nil && ctx.Err() == nil {
					failed = err
				}
				queue = append(queue, found...)
				pending += len(found) - 1
				cond.Broadcast()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

func (a *auditor) itemURL(id string) string {
	return a.base + "/drives/" + url.PathEscape(a.drive) + "/items/" + url.PathEscape(id)
}

func (a *auditor) permissions(ctx context.Context, id string) error {
	var page struct {
		Value []struct {
			Link *json.RawMessage `json:"link"`
		} `json:"value"`
	}
	if err := a.get(ctx, a.itemURL(id)+"/permissions", &page); err != nil {
		return err
	}
	atomic.AddInt64(&a.c.Read, 1)
	for _, p := range page.Value {
		if p.Link != nil {
			atomic.AddInt64(&a.c.Links, 1)
		}
	}
	return nil
}

func (a *auditor) children(ctx context.Context, id string, each func(id string, folder bool)) error {
	next := a.itemURL(id) + "/children?$top=999"
	for next != "" {
		var page struct {
			Value []struct {
				ID     string           `json:"id"`
				Folder *json.RawMessage `json:"folder"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := a.get(ctx, next, &page); err != nil {
			return err
		}
		for _, it := range page.Value {
			atomic.AddInt64(&a.c.Listed, 1)
			each(it.ID, it.Folder != nil)
		}
		next = page.NextLink
	}
	return nil
}

// get GETs u into v, waiting out 429 and 503 for their Retry-After.
func (a *auditor) get(ctx context.Context, u string, v any) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		atomic.AddInt64(&a.c.Requests, 1)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			resp.Body.Close()
			atomic.AddInt64(&a.c.Throttled, 1)
			secs, _ := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
			t := time.NewTimer(time.Duration(max(secs, 0.1) * float64(time.Second)))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		err = json.NewDecoder(resp.Body).Decode(v)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return nil
	}
}
