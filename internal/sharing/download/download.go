// Package download is the download engine over any provider's sharing.Downloader: a file streamed to
// NAME.part and renamed into place once complete and verified against the provider's checksum;
// resumed from the .part with Range when the content is unchanged, started over when it changed or
// the server ignores Range; download URLs refreshed when they expire; retries with backoff; folders
// walked (package walk) and downloaded with a bounded pool of workers into a tree of safe local
// names, never outside the target directory.
//
// The resume record. Beside NAME.part, NAME.part.resume holds a small JSON object written before the
// first byte of content: which provider and item the bytes are, the content's version (Graph's cTag,
// else eTag; Box's file version), size, checksum and conversion format. A later run resumes only when
// all of them still match what the provider says now; otherwise it starts over. A sidecar file rather
// than an extended attribute: xattrs are missing or off on some file systems (tmpfs without user
// xattrs, FAT, many network shares) and Windows has none, and a sidecar can be seen and removed by
// hand.
package download

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
)

// Status is how a file's download ended.
type Status string

// The outcomes of one file.
const (
	// Downloaded is a file fetched in full.
	Downloaded Status = "downloaded"
	// Resumed is a file completed from an earlier run's partial download.
	Resumed Status = "resumed"
	// Skipped is a file already complete on disk (same size and checksum), or an item of a folder
	// that has no content (sharing.Remote.Skip).
	Skipped Status = "skipped"
	// Failed is a file not saved; Result.Err says why.
	Failed Status = "failed"
)

// Result is one file's outcome.
type Result struct {
	// Path is where the file went: relative to the target directory, "/"-separated (a folder
	// download), or as given (-O).
	Path string
	// Remote is the item.
	Remote *sharing.Remote
	Status Status
	// Size is the file's size on disk (or written to the stream).
	Size int64
	// Check names the checksum the file was verified with; "" means unverified (the provider gave
	// none, or a conversion has none).
	Check string
	// From is where a resumed download continued.
	From int64
	// Transferred counts the content bytes received in this run.
	Transferred int64
	// Notes say what else happened, for people: a restart, a refreshed URL.
	Notes []string
	// Err is why a file failed.
	Err error
}

// Progress hears what a download does, for a progress bar. Its methods may be called from several
// goroutines at once.
type Progress interface {
	// Expect counts files found and changes the bytes still to come by n: a file found (1, its
	// size), one started over (0, what was written), one skipped or the part already on disk (0,
	// minus those bytes).
	Expect(files int, n int64)
	// Wrote counts n bytes received.
	Wrote(n int64)
	// Done hears that a file is finished.
	Done(r Result)
}

type noProgress struct{}

func (noProgress) Expect(int, int64) {}
func (noProgress) Wrote(int64)       {}
func (noProgress) Done(Result)       {}

// Options tune downloads.
type Options struct {
	// Format asks for a conversion (Graph's ?format=pdf); "" for the content as it is.
	Format string
	// Overwrite replaces a local file that exists and differs; without it that file fails.
	Overwrite bool
	// Concurrency is how many files of a folder download at once (and folders list at once).
	Concurrency int
	// Attempts bounds the attempts in a row that make no progress before a file fails; 0 means
	// httpretry.DefaultMaxAttempts.
	Attempts int
	// Stall is how long a download may receive nothing before the attempt is abandoned and
	// retried; 0 means DefaultStall.
	Stall time.Duration
	// Sleep waits between attempts; nil means httpretry.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress hears of the bytes and files; nil for none.
	Progress Progress
	// BufferSize is the copy buffer; 0 means 1 MiB.
	BufferSize int
}

// DefaultStall is how long a download may receive nothing before it is retried.
const DefaultStall = time.Minute

// maxRefreshes bounds the download URLs asked for in a row without progress.
const maxRefreshes = 3

// maxAttemptsInAll bounds the attempts of one file however much each makes progress, so a server
// that sends a byte per connection cannot keep odshare going for ever.
const maxAttemptsInAll = 50

func (o *Options) fill() {
	if o.Attempts <= 0 {
		o.Attempts = httpretry.DefaultMaxAttempts
	}
	if o.Stall <= 0 {
		o.Stall = DefaultStall
	}
	if o.Sleep == nil {
		o.Sleep = httpretry.Sleep
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	if o.BufferSize <= 0 {
		o.BufferSize = 1 << 20
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
}

// LocalName is the name a remote file is saved under: SafeName, with the conversion's extension
// for a Format ("Plan.docx" → "Plan.pdf").
func LocalName(r *sharing.Remote, format string) string {
	return convertedName(r.Name, format)
}

func convertedName(name, format string) string {
	if format == "" {
		return name
	}
	return strings.TrimSuffix(name, path.Ext(name)) + "." + format
}

// File downloads the file r into root as name (a path relative to root whose folders exist).
func File(ctx context.Context, d sharing.Downloader, r *sharing.Remote, root *os.Root, name string, o Options) Result {
	o.fill()
	o.Progress.Expect(1, r.Size)
	res := save(ctx, d, r, root, name, o)
	o.Progress.Done(res)
	return res
}

// Stream writes the file r to w (standard output): no partial file and no resume across runs, but
// an attempt cut short continues where it stopped (a server that ignores Range has the bytes
// already written skipped). The checksum is checked at the end: a mismatch is an error, though the
// bytes have been written.
func Stream(ctx context.Context, d sharing.Downloader, r *sharing.Remote, w io.Writer, o Options) Result {
	o.fill()
	res := Result{Path: "-", Remote: r}
	if r.IsFolder || r.NotContent != "" {
		res.Status, res.Err = Failed, notAFile(r)
		return res
	}
	t := &transfer{d: d, r: r, o: o, w: w, h: newHash(r, o.Format), expect: r.Size}
	o.Progress.Expect(1, r.Size)
	err := t.run(ctx)
	t.balance()
	res.Notes, res.Transferred, res.Size = t.notes, t.received, t.off
	if err == nil {
		res.Check, err = t.verify()
	}
	if err != nil {
		res.Status, res.Err = Failed, err
	} else {
		res.Status = Downloaded
	}
	o.Progress.Done(res)
	return res
}

func notAFile(r *sharing.Remote) error {
	if r.IsFolder {
		return errors.New("it is a folder")
	}
	return errors.New(r.NotContent)
}

func newHash(r *sharing.Remote, format string) hash.Hash {
	if r.Checksum == nil || format != "" {
		return nil
	}
	return r.Checksum.New()
}

// record is the resume record beside a partial download.
type record struct {
	Odshare  int    `json:"odshare"`
	ID       string `json:"id"`
	Version  string `json:"version"`
	Size     int64  `json:"size"`
	Format   string `json:"format,omitempty"`
	Checksum string `json:"checksum,omitempty"`
}

func recordOf(r *sharing.Remote, format string) record {
	rec := record{Odshare: 1, ID: r.ID, Version: r.Version, Size: r.Size, Format: format}
	if r.Checksum != nil {
		rec.Checksum = r.Checksum.Name + ":" + r.Checksum.Encode(r.Checksum.Sum)
	}
	return rec
}

// save is File without the Done call. The caller has counted the file as expected; save leaves the
// progress balanced whatever happens (what was not transferred is dropped).
func save(ctx context.Context, d sharing.Downloader, r *sharing.Remote, root *os.Root, name string, o Options) (res Result) {
	res = Result{Path: name, Remote: r}
	t := &transfer{d: d, r: r, o: o, h: newHash(r, o.Format), expect: r.Size}
	defer t.balance()
	fail := func(err error) Result {
		res.Status, res.Err = Failed, err
		return res
	}
	if r.NotContent != "" && r.Skip {
		res.Status, res.Notes = Skipped, append(res.Notes, r.NotContent)
		return res
	}
	if r.IsFolder || r.NotContent != "" {
		return fail(notAFile(r))
	}
	part, resume := name+partSuffix, name+partSuffix+resumeSuffix

	// A file already there: skipped when complete, else replaced only with Overwrite.
	if st, err := root.Lstat(name); err == nil {
		switch {
		case !st.Mode().IsRegular():
			return fail(fmt.Errorf("%s exists and is not a regular file (%s): it is left as it is", name, st.Mode().Type()))
		default:
			same, check, err := complete(root, name, st, r, o.Format)
			if err != nil {
				return fail(err)
			}
			if same {
				res.Status, res.Size, res.Check = Skipped, st.Size(), check
				return res
			}
			if !o.Overwrite {
				return fail(fmt.Errorf("%s exists and differs from the remote file: pass --overwrite to replace it", name))
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}

	want := recordOf(r, o.Format)
	from, why := resumable(root, part, resume, want)
	if why != "" {
		res.Notes = append(res.Notes, why)
	}
	f, err := root.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if f != nil {
			_ = f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return fail(fmt.Errorf("%s is not a regular file", part))
	}
	if from == 0 {
		// Only a .part that holds something is emptied: ext4 takes a truncation to 0 as the
		// "replace via truncate" pattern and writes the whole file out when it is closed
		// (auto_da_alloc), which costs a 1 GiB download half a second on close.
		if st.Size() > 0 {
			if err := f.Truncate(0); err != nil {
				return fail(err)
			}
		}
		b, _ := json.Marshal(want)
		if err := root.WriteFile(resume, append(b, '\n'), 0o666); err != nil {
			return fail(err)
		}
	}
	t.w, t.file = f, f
	if from > 0 {
		if t.h != nil {
			if _, err := io.Copy(t.h, io.NewSectionReader(f, 0, from)); err != nil {
				return fail(fmt.Errorf("read %s: %w", part, err))
			}
		}
		if _, err := f.Seek(from, io.SeekStart); err != nil {
			return fail(err)
		}
		t.off, res.From = from, from
		t.drop(from)
	}
	err = t.run(ctx)
	res.Notes, res.Transferred, res.Size = append(res.Notes, t.notes...), t.received, t.off
	if t.restarted {
		res.From = 0
	}
	if err != nil {
		// The .part and its record stay: the next run resumes.
		switch {
		case t.off == 0:
			// Nothing to resume from: leave nothing behind.
			_ = f.Close()
			f = nil
			_ = root.Remove(part)
			_ = root.Remove(resume)
		case ctx.Err() == nil:
			err = fmt.Errorf("%w (%d of %d bytes are kept in %s: run the same command again to resume)", err, t.off, r.Size, path.Base(part))
		}
		return fail(err)
	}
	check, err := t.verify()
	if err != nil {
		_ = f.Close()
		f = nil
		_ = root.Remove(part)
		_ = root.Remove(resume)
		return fail(fmt.Errorf("%w; the partial download was removed, nothing was saved", err))
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	f = nil
	if err := root.Rename(part, name); err != nil {
		return fail(err)
	}
	_ = root.Remove(resume)
	if mt, err := time.Parse(time.RFC3339, r.Modified); err == nil {
		_ = root.Chtimes(name, mt, mt)
	}
	res.Check, res.Status = check, Downloaded
	if res.From > 0 {
		res.Status = Resumed
	}
	return res
}

// complete reports whether the local file is the remote one: same size and checksum (same size
// alone when the provider gives no checksum; same modification time for a conversion, which has
// neither).
func complete(root *os.Root, name string, st fs.FileInfo, r *sharing.Remote, format string) (bool, string, error) {
	if format != "" {
		mt, err := time.Parse(time.RFC3339, r.Modified)
		return err == nil && st.ModTime().Equal(mt), "", nil
	}
	if st.Size() != r.Size {
		return false, "", nil
	}
	if r.Checksum == nil {
		return true, "", nil
	}
	f, err := root.Open(name)
	if err != nil {
		return false, "", err
	}
	defer f.Close()
	h := r.Checksum.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, "", fmt.Errorf("read %s: %w", name, err)
	}
	return subtle.ConstantTimeCompare(h.Sum(nil), r.Checksum.Sum) == 1, r.Checksum.Name, nil
}

// resumable returns how much of an earlier partial download can be kept: its length when its
// record matches what the provider says now and it is no longer than the file, else 0 with the
// reason an existing one is not kept.
func resumable(root *os.Root, part, resume string, want record) (int64, string) {
	st, err := root.Lstat(part)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return 0, ""
	}
	b, err := root.ReadFile(resume)
	var got record
	switch {
	case err != nil || len(b) > 64<<10 || json.Unmarshal(b, &got) != nil || got.Odshare != 1:
		return 0, "a partial download without its resume record was started over"
	case got.ID != want.ID || got.Format != want.Format:
		return 0, "a partial download of another item was started over"
	case got != want || want.Version == "":
		return 0, "the remote file changed since the partial download: started over"
	case st.Size() > want.Size:
		return 0, "the partial download was longer than the file: started over"
	}
	return st.Size(), ""
}

// transfer moves one file's bytes: attempts, URL refreshes, Range, restarts.
type transfer struct {
	d    sharing.Downloader
	r    *sharing.Remote
	o    Options
	w    io.Writer
	file *os.File // nil when streaming: no start over
	h    hash.Hash

	url       string
	expect    int64 // bytes this file has counted as Found, less those dropped
	off       int64 // bytes written
	total     int64 // the content's size as the download host says; -1 until known
	received  int64
	restarted bool
	notes     []string
}

// attemptError is an attempt that failed: worth repeating (after wait, or a backoff), or with a
// fresh download URL, or neither.
type attemptError struct {
	err     error
	retry   bool
	refresh bool
	wait    time.Duration
	waitSet bool // the server said how long (Retry-After), zero included
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

func (t *transfer) note(s string) {
	for _, n := range t.notes {
		if n == s {
			return
		}
	}
	t.notes = append(t.notes, s)
}

// run makes attempts until the content is complete, an error is final, or the attempts without
// progress run out.
func (t *transfer) run(ctx context.Context) error {
	t.total = -1
	idle, refreshes := 0, 0
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if t.url == "" {
			u, err := t.d.ContentURL(ctx, t.r, t.o.Format)
			if err != nil {
				return err
			}
			t.url = u
		}
		before := t.off
		done, err := t.attempt(ctx)
		if done && err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ae *attemptError
		if !errors.As(err, &ae) {
			return err
		}
		if t.off > before {
			idle, refreshes = 0, 0
		}
		if ae.refresh {
			refreshes++
			if refreshes > maxRefreshes {
				return fmt.Errorf("the download host refused %d fresh download URLs in a row: %w", maxRefreshes, ae.err)
			}
			t.url = ""
			t.note("a download URL expired: a fresh one was used")
			continue
		}
		if !ae.retry {
			return ae.err
		}
		if t.off == before {
			idle++
		}
		if idle >= t.o.Attempts || attempt >= maxAttemptsInAll {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, ae.err)
		}
		// A connection that dropped after bytes came is tried again at once; one that brought
		// nothing backs off, unless the server said how long to wait.
		wait := ae.wait
		switch {
		case ae.waitSet:
		case t.off > before:
			wait = 0
		default:
			wait = httpretry.Backoff(idle)
		}
		if err := t.o.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// attempt fetches from t.off and copies the body; done reports the content complete.
func (t *transfer) attempt(ctx context.Context) (done bool, err error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stalled := errors.New("stalled")
	timer := time.AfterFunc(t.o.Stall, func() { cancel(stalled) })
	defer timer.Stop()

	hdr := http.Header{}
	asked := t.off
	if asked > 0 {
		hdr.Set("Range", "bytes="+strconv.FormatInt(asked, 10)+"-")
	}
	resp, err := t.d.Fetch(actx, t.url, hdr)
	if err != nil {
		return false, t.transportError(ctx, actx, err, stalled)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		t.total = -1
		if resp.ContentLength >= 0 {
			t.total = resp.ContentLength
		}
		if asked > 0 {
			if err := t.startOver(resp.Body, asked); err != nil {
				return false, err
			}
		}
	case http.StatusPartialContent:
		start, total, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != asked {
			// Not the range asked for: start over from the beginning on the next attempt.
			if t.file == nil {
				return false, fmt.Errorf("the download host answered Range: bytes=%d- with %q", asked, safetext.Line(resp.Header.Get("Content-Range")))
			}
			if err := t.truncate(); err != nil {
				return false, err
			}
			return false, &attemptError{err: fmt.Errorf("the download host answered Range: bytes=%d- with %q", asked, safetext.Line(resp.Header.Get("Content-Range"))), retry: true}
		}
		t.total = total
	case http.StatusRequestedRangeNotSatisfiable:
		_, total, _ := contentRange(resp.Header.Get("Content-Range"))
		if total >= 0 && total == asked {
			t.total = total
			return true, nil // everything was there already
		}
		if t.file == nil {
			return false, fmt.Errorf("the download host has fewer bytes than the %d already written", asked)
		}
		if err := t.truncate(); err != nil {
			return false, err
		}
		t.note("the partial download was longer than the file: started over")
		return false, &attemptError{err: errors.New("range not satisfiable"), retry: true}
	default:
		return false, statusError(resp)
	}
	if t.total >= 0 && t.o.Format == "" && t.total != t.r.Size {
		return false, fmt.Errorf("the download host serves %d bytes, but the item has %d: it may have changed since it was read; run the command again", t.total, t.r.Size)
	}
	if err := t.copy(resp.Body, timer); err != nil {
		return false, t.transportError(ctx, actx, err, stalled)
	}
	if t.total >= 0 && t.off < t.total {
		return false, &attemptError{err: io.ErrUnexpectedEOF, retry: true}
	}
	return true, nil
}

// startOver handles a 200 to a Range request: the whole content from its first byte. A file is
// truncated and written again; a stream skips the bytes it has written.
func (t *transfer) startOver(body io.Reader, asked int64) error {
	t.note("the download host ignored Range: started over")
	if t.file == nil {
		if _, err := io.CopyN(io.Discard, body, asked); err != nil {
			return &attemptError{err: err, retry: true}
		}
		return nil
	}
	return t.truncate()
}

// truncate empties the partial file and the hash.
func (t *transfer) truncate() error {
	if err := t.file.Truncate(0); err != nil {
		return err
	}
	if _, err := t.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if t.h != nil {
		t.h.Reset()
	}
	t.o.Progress.Expect(0, t.off)
	t.expect += t.off
	t.off, t.restarted = 0, true
	return nil
}

// drop tells the progress that n of the expected bytes will not be transferred.
func (t *transfer) drop(n int64) {
	t.o.Progress.Expect(0, -n)
	t.expect -= n
}

// balance evens the progress out once the file is finished: what was expected and not received
// is dropped (a skip, a failure), what came beyond it (a conversion larger than its source) found.
func (t *transfer) balance() {
	switch left := t.expect - t.received; {
	case left > 0:
		t.drop(left)
	case left < 0:
		t.o.Progress.Expect(0, -left)
		t.expect -= left
	}
}

// limit is the most a content may be: its size, or for a conversion (of unknown size) a generous
// multiple of the source's, so a server that never ends cannot fill the disk.
func (t *transfer) limit() int64 {
	if t.total >= 0 {
		return t.total
	}
	if t.o.Format == "" {
		return t.r.Size
	}
	return max(64<<20, 16*t.r.Size)
}

// copy writes the body to w and the hash, resetting the stall timer as bytes come.
func (t *transfer) copy(body io.Reader, timer *time.Timer) error {
	buf := make([]byte, t.o.BufferSize)
	limit := t.limit()
	for {
		n, err := body.Read(buf)
		if n > 0 {
			timer.Reset(t.o.Stall)
			if t.off+int64(n) > limit {
				return fmt.Errorf("the download host sent more than the %d bytes expected", limit)
			}
			if _, werr := t.w.Write(buf[:n]); werr != nil {
				return &writeError{werr}
			}
			if t.h != nil {
				t.h.Write(buf[:n])
			}
			t.off += int64(n)
			t.received += int64(n)
			t.o.Progress.Wrote(int64(n))
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// writeError is a failure to write locally: never retried.
type writeError struct{ err error }

func (e *writeError) Error() string { return "write: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// transportError classifies an attempt that failed without an HTTP answer, or mid-body.
func (t *transfer) transportError(ctx, actx context.Context, err error, stalled error) error {
	var we *writeError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &we):
		return we
	case context.Cause(actx) == stalled:
		return &attemptError{err: fmt.Errorf("the download received nothing for %s", t.o.Stall), retry: true}
	case httpretry.RetryableTransport(err), isTimeout(err):
		return &attemptError{err: err, retry: true}
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// verify checks what was written against the size and the checksum.
func (t *transfer) verify() (string, error) {
	if t.o.Format == "" && t.off != t.r.Size {
		return "", fmt.Errorf("got %d bytes of %d", t.off, t.r.Size)
	}
	if t.h == nil {
		return "", nil
	}
	got := t.h.Sum(nil)
	c := t.r.Checksum
	if subtle.ConstantTimeCompare(got, c.Sum) != 1 {
		return "", fmt.Errorf("%s mismatch: the provider says %s, the %d bytes received hash to %s", c.Name, safetext.Line(c.Encode(c.Sum)), t.off, c.Encode(got))
	}
	return c.Name, nil
}

// contentRange reads "bytes a-b/total" (total may be "*": -1) or "bytes */total".
func contentRange(h string) (start, total int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !found {
		return 0, -1, false
	}
	rng, tot, found := strings.Cut(spec, "/")
	if !found {
		return 0, -1, false
	}
	total = -1
	if tot != "*" {
		n, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || n < 0 {
			return 0, -1, false
		}
		total = n
	}
	if rng == "*" {
		return 0, total, true
	}
	a, _, found := strings.Cut(rng, "-")
	start, err := strconv.ParseInt(a, 10, 64)
	if !found || err != nil || start < 0 {
		return 0, -1, false
	}
	return start, total, true
}

// statusError is the download host's refusal: a fresh URL for 401/403/404/410 (an expired or
// revoked URL), a retry for throttling and passing server errors, final otherwise.
func statusError(resp *http.Response) error {
	var snippet [512]byte
	n, _ := io.ReadFull(resp.Body, snippet[:])
	msg := strings.TrimSpace(safetext.Line(string(bytes.ToValidUTF8(snippet[:n], nil))))
	err := fmt.Errorf("the download host answered HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if msg != "" && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		err = fmt.Errorf("%w: %s", err, msg)
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusNotFound, s == http.StatusGone:
		return &attemptError{err: err, refresh: true}
	case s == http.StatusRequestTimeout, httpretry.Throttled(s), httpretry.RetryableServerError(s):
		wait, ok := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return &attemptError{err: err, retry: true, wait: min(wait, httpretry.DefaultMaxRetryWait), waitSet: ok}
	}
	return err
}
