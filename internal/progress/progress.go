// Package progress shows on stderr, with mpb, that odshare is working: a bar for work that can be
// counted (sharing many items), a spinner with a label for work that can't (a listing), and, on
// either or on a line of its own, what a request is waiting for ("throttled by Graph (HTTP 429),
// retrying in 3s"). It draws nothing when stderr is not a terminal, and nothing for work that ends
// within the first moment, so quick commands and pipelines stay quiet.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/odshare/odshare/internal/iostreams"
)

// Delay is how long work may run before a bar appears.
const Delay = 500 * time.Millisecond

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Bar is one line of progress: counted (a bar) or not (a spinner). The zero value and a nil *Bar
// are no-ops, so callers need not check whether stderr is a terminal.
type Bar struct {
	p     *mpb.Progress
	bar   *mpb.Bar
	timer *time.Timer
	owner *Tracker
	// spinner lines are removed when done; a bar that was shown stays as a record
	spinner bool
	once    sync.Once

	mu        sync.Mutex
	label     string
	waitWhy   string
	waitUntil time.Time
	total     int64 // a byte bar's total, guarded by mu
}

func start(w io.Writer, total int, label string, delay time.Duration, extra ...mpb.ContainerOption) *Bar {
	b, p := newBar(w, label, delay, extra)
	b.bar = p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Any(b.labelDecor), decor.CountersNoUnit("%d/%d"), decor.Any(b.waitDecor)),
		mpb.AppendDecorators(decor.AverageSpeed(nil, " %.0f/s"), decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	)
	return b
}

// byteBar is a bar of bytes whose total grows and shrinks as work is found and dropped.
func byteBar(w io.Writer, label string, delay time.Duration, extra ...mpb.ContainerOption) *Bar {
	b, p := newBar(w, label, delay, extra)
	b.bar = p.AddBar(0,
		mpb.PrependDecorators(decor.Any(b.labelDecor), decor.CountersKibiByte("% .1f / % .1f"), decor.Any(b.waitDecor)),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), " % .1f"), decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	)
	return b
}

// spin is a spinner labelled label.
func spin(w io.Writer, label string, delay time.Duration, extra ...mpb.ContainerOption) *Bar {
	b, p := newBar(w, label, delay, extra)
	b.spinner = true
	b.bar = p.New(0, mpb.NopStyle(),
		mpb.PrependDecorators(decor.Spinner(spinnerFrames), decor.Any(func(decor.Statistics) string {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.label == "" {
				return ""
			}
			return " " + b.label
		}), decor.Any(b.waitDecor)),
	)
	return b
}

func newBar(w io.Writer, label string, delay time.Duration, extra []mpb.ContainerOption) (*Bar, *mpb.Progress) {
	show := make(chan any)
	opts := append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRenderDelay(show)}, extra...)
	p := mpb.New(opts...)
	b := &Bar{p: p, label: label}
	b.timer = time.AfterFunc(delay, func() { close(show) })
	return b, p
}

func (b *Bar) labelDecor(decor.Statistics) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.label + " "
}

// waitDecor is the reason and the countdown of a wait in progress, "" when there is none.
func (b *Bar) waitDecor(decor.Statistics) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	left := time.Until(b.waitUntil)
	if b.waitWhy == "" || left <= 0 {
		return ""
	}
	return fmt.Sprintf(" — %s, retrying in %s ", b.waitWhy, roundUp(left))
}

// roundUp shows a wait in whole seconds, never "0s" while it lasts.
func roundUp(d time.Duration) time.Duration {
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// SetLabel changes what the line says, e.g. a running count.
func (b *Bar) SetLabel(label string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.label = label
	b.mu.Unlock()
}

// Waiting shows why the work is paused and for how long; the notice goes when the wait is over.
func (b *Bar) Waiting(why string, d time.Duration) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.waitWhy, b.waitUntil = why, time.Now().Add(d)
	b.mu.Unlock()
}

// AddTotal changes a byte bar's total by n (negative: work dropped).
func (b *Bar) AddTotal(n int64) {
	if b == nil || n == 0 {
		return
	}
	b.mu.Lock()
	b.total += n
	total := b.total
	b.mu.Unlock()
	b.bar.SetTotal(max(total, 0), false)
}

// Add records n units (bytes) done.
func (b *Bar) Add(n int64) {
	if b != nil && n > 0 {
		b.bar.IncrInt64(n)
	}
}

// Complete marks a byte bar finished at what it has done; Done then leaves it as a record.
func (b *Bar) Complete() {
	if b != nil {
		b.bar.SetTotal(-1, true)
	}
}

// Increment records one finished unit.
func (b *Bar) Increment() {
	if b != nil {
		b.bar.Increment()
	}
}

// Done removes a spinner, or a bar never shown, and leaves a bar that was shown as it stands;
// call it before printing results. Later calls do nothing.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.once.Do(b.done)
}

func (b *Bar) done() {
	if b.owner != nil {
		b.owner.release(b)
	}
	neverShown := b.timer.Stop()
	if !b.bar.Completed() {
		b.bar.Abort(neverShown || b.spinner)
	}
	b.p.Wait()
}

// Tracker is a command's progress on one stderr: the line the command has started (a bar or a
// spinner), and the waits of requests that anything in the command sends, shown on that line or,
// when there is none, on a line of their own for as long as the wait lasts. A nil *Tracker, or one
// whose stderr is not a terminal, draws nothing.
type Tracker struct {
	w       io.Writer
	enabled bool
	delay   time.Duration
	extra   []mpb.ContainerOption

	mu   sync.Mutex
	cur  *Bar // the command's line
	temp *Bar // a wait's own line
	gen  int  // counts temp lines, so a timer ends only its own
}

// NewTracker returns a Tracker drawing on ios.ErrOut when it is a terminal.
func NewTracker(ios *iostreams.IOStreams) *Tracker {
	return &Tracker{w: ios.ErrOut, enabled: ios.IsStderrTTY(), delay: Delay, extra: []mpb.ContainerOption{mpb.WithAutoRefresh()}}
}

// Bar starts the command's counted line: total units labelled label.
func (t *Tracker) Bar(total int, label string) *Bar {
	if t == nil || !t.enabled || total <= 0 {
		return nil
	}
	return t.adopt(start(t.w, total, label, t.delay, t.extra...))
}

// Bytes starts the command's line for a transfer: bytes done of a total that AddTotal grows and
// shrinks as work is found and dropped, the rate and the time left; the label (SetLabel) says what
// is being transferred, such as how many files are done.
func (t *Tracker) Bytes(label string) *Bar {
	if t == nil || !t.enabled {
		return nil
	}
	return t.adopt(byteBar(t.w, label, t.delay, t.extra...))
}

// Spinner starts the command's uncounted line, labelled label.
func (t *Tracker) Spinner(label string) *Bar {
	if t == nil || !t.enabled {
		return nil
	}
	return t.adopt(spin(t.w, label, t.delay, t.extra...))
}

func (t *Tracker) adopt(b *Bar) *Bar {
	t.mu.Lock()
	temp := t.temp
	t.temp, t.gen = nil, t.gen+1
	b.owner = t
	t.cur = b
	t.mu.Unlock()
	temp.Done()
	return b
}

func (t *Tracker) release(b *Bar) {
	t.mu.Lock()
	if t.cur == b {
		t.cur = nil
	}
	t.mu.Unlock()
}

// Waiting shows that a request waits d before it is sent again, and why.
func (t *Tracker) Waiting(why string, d time.Duration) {
	if t == nil || !t.enabled || d <= 0 {
		return
	}
	t.mu.Lock()
	if t.cur != nil {
		cur := t.cur
		t.mu.Unlock()
		cur.Waiting(why, d)
		return
	}
	if t.temp == nil {
		t.temp = spin(t.w, "", t.delay, t.extra...)
	}
	temp := t.temp
	t.gen++
	gen := t.gen
	t.mu.Unlock()
	temp.Waiting(why, d)
	// The line goes when the wait is over, unless another wait has begun meanwhile.
	time.AfterFunc(d, func() {
		t.mu.Lock()
		if t.gen != gen || t.temp != temp {
			t.mu.Unlock()
			return
		}
		t.temp = nil
		t.mu.Unlock()
		temp.Done()
	})
}

// Stop removes a wait's own line, if one is showing; call it before printing results.
func (t *Tracker) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	temp := t.temp
	t.temp, t.gen = nil, t.gen+1
	t.mu.Unlock()
	temp.Done()
}
