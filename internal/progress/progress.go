// Package progress draws a progress bar on stderr for long work, with mpb. It draws nothing
// when stderr is not a terminal, and nothing for work that ends within the first moment, so
// quick commands and pipelines stay quiet.
package progress

import (
	"io"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/odshare/odshare/internal/iostreams"
)

// Delay is how long work may run before a bar appears.
const Delay = 500 * time.Millisecond

// Bar counts finished units of work. The zero value and a nil *Bar are no-ops.
type Bar struct {
	p     *mpb.Progress
	bar   *mpb.Bar
	timer *time.Timer
}

// Start returns a bar for total units labelled label, drawn on ios.ErrOut only when stderr is
// a terminal.
func Start(ios *iostreams.IOStreams, total int, label string) *Bar {
	if !ios.IsStderrTTY() || total <= 0 {
		return nil
	}
	return start(ios.ErrOut, total, label, Delay, mpb.WithAutoRefresh())
}

func start(w io.Writer, total int, label string, delay time.Duration, extra ...mpb.ContainerOption) *Bar {
	show := make(chan any)
	opts := append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRenderDelay(show)}, extra...)
	p := mpb.New(opts...)
	bar := p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name(label+" "), decor.CountersNoUnit("%d/%d")),
		mpb.AppendDecorators(decor.AverageSpeed(nil, " %.0f/s"), decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)),
	)
	return &Bar{p: p, bar: bar, timer: time.AfterFunc(delay, func() { close(show) })}
}

// Increment records one finished unit.
func (b *Bar) Increment() {
	if b != nil {
		b.bar.Increment()
	}
}

// Done removes the bar; call it once, before printing results.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	if b.timer.Stop() {
		// Never shown: drop it without drawing.
		b.bar.Abort(true)
	} else if !b.bar.Completed() {
		b.bar.Abort(false)
	}
	b.p.Wait()
}
