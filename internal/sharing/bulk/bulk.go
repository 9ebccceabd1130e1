// Package bulk is odshare's engine for creating many links at once through any provider: a fixed
// pool of workers sends the items' requests in batches (Graph's JSON $batch of up to 20; one request
// per slot for a provider without batching, such as Box), paced by what the provider's throttling
// says, and reports every item exactly once, however the run ends.
//
// The engine knows nothing of a provider's wire format. A Sender builds each item's requests (Steps),
// sends a batch of them, and reads the answers; the engine owns the queue, the retries, the pacing,
// the bounds and the bookkeeping that makes a result trustworthy: an item is "not sent" only when
// none of its requests that could have made a link ever left, and "outcome unknown" when one did
// without an answer coming back.
package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
)

// Step is one request an item needs next, as its Sender built it.
type Step interface {
	// Unsafe reports whether sending it may make the link (Graph's createLink; not a share
	// lookup): a send of it that gets no answer leaves the item's outcome unknown.
	Unsafe() bool
}

// Answer is the provider's answer to one Step.
type Answer struct {
	// Status is the HTTP status; 0 when the batch brought no answer for this step.
	Status int
	// RetryAfter is the answer's Retry-After header.
	RetryAfter string
	// Body is the answer's body as sent.
	Body json.RawMessage
}

// Retry is how the provider's client waits: the engine's waits go through Sleep (tests inject one)
// and are shown with OnWait; MaxWait caps one Retry-After; Budget is how long, in all, one item
// waits out throttling.
type Retry struct {
	Sleep   func(ctx context.Context, d time.Duration) error
	OnWait  func(ctx context.Context, reason string, d time.Duration)
	MaxWait time.Duration
	Budget  time.Duration
}

// Sender is a provider's side of a run.
type Sender interface {
	// Service names the provider in messages: "Graph".
	Service() string
	// MaxBatch is the most steps one Send carries.
	MaxBatch() int
	// Retry is how the provider's client waits.
	Retry() Retry
	// Prepare returns every item's first step, in input order. It may send a request the whole
	// run needs (Graph resolves a --site URL once); an error fails the run before any item is
	// reported.
	Prepare(ctx context.Context) ([]Step, error)
	// Send sends the steps in one round trip and returns their answers in the same order. When the
	// round trip failed as a whole, it returns nil answers and the error (a sharing.APIError when
	// the provider answered); when it brought only some answers, it returns all of them (Status 0
	// for the missing) and an error saying so.
	Send(ctx context.Context, steps []Step) ([]Answer, error)
	// Advance reads a success-class answer (status below 300) to step: the item is done (res),
	// needs another step (next), or failed (fail; an answer odshare can't use).
	Advance(step Step, a Answer) (next Step, res *Result, fail *Error)
	// Refusal is the failure an error answer to step stands for, with the provider's code and
	// message when its body has them.
	Refusal(step Step, a Answer) *Error
}

// Result is the outcome of one item.
type Result struct {
	// Index is the item's position in the run's inputs.
	Index int
	// Input is the item as the user gave it.
	Input string
	// Status is the last HTTP status: 201 or 200 on success, the failing status on failure (that of
	// a share lookup when it failed), and 0 when no answer was had (transport failure,
	// cancellation).
	Status int
	// Created is true for a new link, false for one the item already had.
	Created bool
	// Raw is the provider's object unchanged (Graph's permission); success only.
	Raw json.RawMessage
	// Err says why the item failed; nil on success.
	Err *Error
}

// Error is why one item failed.
type Error struct {
	// Code is the provider's error code ("itemNotFound", "TooManyRequests"), or odshare's own:
	// Cancelled, Stalled, Unauthenticated (not sent), OutcomeUnknown (sent, no answer),
	// "requestFailed" (no usable answer to a request that could not have made a link),
	// "invalidResponse" (an answer odshare can't use).
	Code string
	// Message is the provider's message, or odshare's description, safe to print.
	Message string
}

// Error returns "code: message".
func (e *Error) Error() string {
	switch {
	case e.Message == "":
		return e.Code
	case e.Code == "":
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// The codes of items a run could not finish. An item is reported as not done (Cancelled, Stalled,
// Unauthenticated) only when its link-making request was never sent, or every send of it was
// refused (throttled, or an authentication failure); when a send may have reached the provider
// without an answer coming back, the item is OutcomeUnknown.
const (
	// Cancelled is an item whose request was not sent before the run was interrupted.
	Cancelled = "cancelled"
	// Stalled is an item whose request was not sent before the run stopped because the provider
	// answered nothing for Options.StallTimeout.
	Stalled = "stalled"
	// Unauthenticated is an item not sent because authentication failed for good.
	Unauthenticated = "unauthenticated"
	// OutcomeUnknown is an item whose request was sent but never answered (interrupted, timed out,
	// the connection dropped): the link may exist. Running the same command again settles it, as a
	// provider answers with the link that exists (Graph: 200 for a link of that type and scope).
	OutcomeUnknown = "outcomeUnknown"
)

// outcomeUnknownHint ends every OutcomeUnknown message; rerun (Options.Rerun) says how to run the
// command again.
func outcomeUnknownHint(rerun string) string {
	if rerun == "" {
		rerun = "run the same command again"
	}
	return "the link may have been made; " + rerun + ": an item whose link exists is then reported as existing"
}

// StalledError ends a run in which the provider answered nothing for Options.StallTimeout.
type StalledError struct {
	Service string
	After   time.Duration
}

func (e *StalledError) Error() string {
	return fmt.Sprintf("%s answered no request for %s, so odshare stopped; run the same command again later", e.Service, e.After)
}

// Options tune Run.
type Options struct {
	// Concurrency is how many batches may be in flight; 0 means 4. While a throttle keeps
	// batches smaller than BatchSize, up to twice as many may be, never more steps in flight than
	// Concurrency full batches (see pacer.inFlight).
	Concurrency int
	// BatchSize is how many steps go in one batch, at most the Sender's MaxBatch; 0 means that.
	BatchSize int
	// MaxAttempts bounds the sends of each step, counting retryable answers (5xx) and failed
	// batches, not throttled ones; 0 means 10.
	MaxAttempts int
	// BatchTimeout bounds one batch, its own retries included; 0 means the retry budget plus
	// DefaultStallTimeout.
	BatchTimeout time.Duration
	// StallTimeout ends the run when a batch fails without an answer and the provider has answered
	// no batch for this long; 0 means DefaultStallTimeout. The run is then bounded as one request is.
	StallTimeout time.Duration
	// Rerun is how an outcome-unknown item's message says to run the command again when the same
	// command would not ask the same (a relative expiry: a rerun asks a later one, and the link
	// made gets reported as differing); "" means "run the same command again".
	Rerun string
	// Admit, when set, is called by a worker with a batch's steps just before it sends them,
	// outside the engine's lock, and may wait there: a client-side budget, or the provider's
	// rate-limit headers, which the engine's pacer does not read. While it waits the batch counts
	// as in flight but has not been sent; an error (ctx ended) puts it back unsent.
	Admit func(ctx context.Context, steps []Step) error
	// OnResult gets every item's result exactly once, as it completes, in no particular order.
	// Calls are serialized, so it needs no locking of its own; it should return quickly, as
	// workers wait for it.
	OnResult func(Result)
}

const (
	defaultConcurrency = 4
	defaultAttempts    = 10
	// DefaultStallTimeout is as long as one request waits for an answer (the HTTP client's
	// timeout).
	DefaultStallTimeout = 2 * time.Minute
)

// Run makes a link for every input through s, reporting each item's result to o.OnResult exactly
// once.
//
// Up to o.Concurrency workers each send batches of up to o.BatchSize ready steps (more workers,
// up to twice as many, while a throttle keeps batches small: pacer.inFlight). A step answered
// 504 or another retryable 5xx goes back to the queue until its own Retry-After (fractional seconds
// allowed), or an exponential backoff without one. A step answered 429 or 503 does too when it is
// isolated; when the provider's throttle refuses more (a spell), the pacer sizes and spaces every
// worker's batches to the rate it admits, and holds them all back when most of a batch is refused
// (see pacer), so a throttled run proceeds at the rate the provider admits. Other 4xx
// answers are final failures carrying the provider's code and message. A batch that fails as a whole
// sends its items back to the queue, counting an attempt; a 4xx for the whole batch (other than 408,
// 424, 429) is final for its items, since re-sending the same batch can't help.
//
// Re-sending a link-making request whose answer was lost is safe when the provider answers the
// second one with the link the first made (Graph: 200 for a link of that type and scope [CL1]). So
// an item may come out as existing when its first attempt had in fact created the link, but never
// as two links, nor twice in OnResult.
//
// Throttled steps are retried for the retry budget, per item; a batch that times out
// (BatchTimeout) or fails without an answer while the provider has answered nothing for
// StallTimeout ends the run with a *StalledError, so a provider that never answers stops a run as
// soon as it would stop one request.
//
// On cancellation it stops sending, waits for the batches in flight, reports every unfinished item
// as Cancelled, or OutcomeUnknown when its request may have reached the provider, and returns
// ctx.Err(). It returns nil when every item was processed, whatever the failures (callers count them
// from the results), and an error without calling OnResult at all for invalid options or items.
func Run(ctx context.Context, s Sender, inputs []string, o Options) error {
	maxBatch := s.MaxBatch()
	if o.Concurrency < 0 || o.BatchSize < 0 || o.BatchSize > maxBatch || o.MaxAttempts < 0 {
		return fmt.Errorf("%s: invalid bulk options: concurrency %d, batch size %d (at most %d), max attempts %d",
			lower(s.Service()), o.Concurrency, o.BatchSize, maxBatch, o.MaxAttempts)
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.BatchSize == 0 {
		o.BatchSize = maxBatch
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = defaultAttempts
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	retry := s.Retry()
	if o.BatchTimeout <= 0 {
		o.BatchTimeout = retry.Budget + DefaultStallTimeout
	}
	steps, err := s.Prepare(ctx)
	if err != nil {
		return err
	}
	if len(steps) != len(inputs) {
		return fmt.Errorf("bulk: %d steps for %d items", len(steps), len(inputs))
	}
	if len(inputs) == 0 {
		return nil
	}
	// The engine's context also ends when authentication fails for good: every later batch would
	// fail the same way.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	e := &engine{s: s, retry: retry, o: o, ctx: runCtx, cancel: cancel, inputs: inputs, lastAnswer: time.Now()}
	e.cond = sync.NewCond(&e.mu)
	e.pace.limit, e.pace.workers, e.wake = o.BatchSize, o.Concurrency, make(chan struct{})
	e.tasks = make([]task, len(inputs))
	e.pending = make([]*task, 0, len(inputs))
	for i := range e.tasks {
		t := &e.tasks[i]
		t.index, t.step = i, steps[i]
		e.pending = append(e.pending, t)
	}
	stop := context.AfterFunc(runCtx, func() {
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()

	// Workers beyond the concurrency send only while the pacer asks for more batches in flight
	// (pacer.inFlight).
	var wg sync.WaitGroup
	for range min(paceMaxWorkers*o.Concurrency, len(inputs)) {
		wg.Go(e.work)
	}
	wg.Wait()

	// Every worker is gone: whatever is unfinished was never answered.
	code, msg, why := Cancelled, "not sent: the run was interrupted", "the run was interrupted"
	switch {
	case e.fatal != nil:
		code, msg, why = Unauthenticated, "not sent: "+safetext.Line(e.fatal.Error()), "authentication failed"
	case e.stalled != nil:
		code, msg, why = Stalled, "not sent: "+e.stalled.Error(), fmt.Sprintf("%s answered nothing for %s", s.Service(), e.stalled.After)
	}
	var rest []Result
	for i := range e.tasks {
		if t := &e.tasks[i]; !t.done {
			t.done = true
			if t.maybeDone {
				rest = append(rest, e.failure(t, 0, OutcomeUnknown, "sent, but "+why+" before "+s.Service()+" answered: "+outcomeUnknownHint(e.o.Rerun)))
				continue
			}
			rest = append(rest, e.failure(t, 0, code, msg))
		}
	}
	if len(rest) > 0 {
		e.emit(rest)
	}
	if e.fatal != nil {
		return e.fatal
	}
	if e.stalled != nil && ctx.Err() == nil {
		return e.stalled
	}
	if len(rest) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("bulk: run stopped with unfinished items") // unreachable unless the engine is wrong
}

// task is one item's progress through its steps.
type task struct {
	index    int
	step     Step
	attempts int // sends of the current step, throttled ones not counted
	eligible time.Time
	done     bool
	// maybeDone is set once an unsafe step of this item may have reached the provider without an
	// answer coming back (interrupted in flight, timed out, the connection dropped, missing from a
	// batch response, a 5xx other than 503); only a success or a 4xx settles it.
	maybeDone bool
	throttles int           // throttled answers to the current step
	charged   time.Duration // of the retry budget, by those answers
	// pacedSince is when the item was last throttled, if the pacer (not its own Retry-After)
	// decides when it goes again; the time until then is charged when it goes.
	pacedSince time.Time
}

// engine is one Run. mu guards the queue, the tasks and the pacer; emitMu serializes OnResult.
type engine struct {
	s      Sender
	retry  Retry
	o      Options
	ctx    context.Context
	cancel context.CancelFunc
	fatal  error // set by an authentication failure that ends the run
	// stalled is set when the provider answered nothing for StallTimeout; lastAnswer is when it
	// last did.
	stalled    *StalledError
	lastAnswer time.Time
	inputs     []string

	mu       sync.Mutex
	cond     *sync.Cond
	tasks    []task
	pending  []*task // neither finished nor in flight
	inFlight int     // batches being sent
	pace     pacer
	wake     chan struct{} // closed (and replaced) when a batch is settled

	emitMu sync.Mutex
}

func (e *engine) work() {
	for {
		batch, ok := e.take()
		if !ok {
			return
		}
		steps := make([]Step, len(batch))
		for i, t := range batch {
			steps[i] = t.step
		}
		if e.o.Admit != nil {
			if err := e.o.Admit(e.ctx, steps); err != nil {
				e.unsend(batch)
				return // ctx ended (Admit's only error): the run is over
			}
		}
		sentAt := time.Now()
		bctx, cancel := context.WithTimeout(e.ctx, e.o.BatchTimeout)
		answers, err := e.s.Send(bctx, steps)
		cancel()
		e.emit(e.settle(batch, sentAt, answers, err))
	}
}

// take waits until a batch may be sent and returns it, counted in flight; ok is false when there is
// nothing left to send or ctx is done. Waits go through Retry.Sleep. A wait is taken to have reached
// its target when Sleep returns, even if the clock says otherwise, so an injected Sleep that returns
// at once makes the engine run through its waits instead of spinning on the clock.
func (e *engine) take() ([]*task, bool) {
	var reached time.Time // the latest time a Sleep of ours waited for
	e.mu.Lock()
	for {
		if e.ctx.Err() != nil || len(e.pending) == 0 && e.inFlight == 0 {
			e.cond.Broadcast()
			e.mu.Unlock()
			return nil, false
		}
		if len(e.pending) == 0 || !e.pace.mayAdd(e.inFlight) {
			e.cond.Wait() // the batches in flight will bring items back, or finish the run
			continue
		}
		now := later(time.Now(), reached)
		// Hold off for a Retry-After that holds everyone, and for the pacer's mirror of the
		// throttle. Batches are booked when they go, so workers waiting together take turns.
		size := e.pace.batchSize()
		if gate := e.pace.gate(now, size); gate.After(now) {
			if e.pace.held(now) {
				e.notifyWait("throttled by "+e.s.Service(), gate.Sub(now))
			}
			if !e.sleepUntil(now, gate, &reached) {
				e.mu.Unlock()
				return nil, false
			}
			continue
		}
		batch, earliest := e.takeEligible(now, size)
		if len(batch) == 0 {
			if e.inFlight == 0 {
				e.notifyWait("retrying what "+e.s.Service()+" throttled or failed", earliest.Sub(now))
			}
			if !e.sleepUntil(now, earliest, &reached) {
				e.mu.Unlock()
				return nil, false
			}
			continue
		}
		e.pace.book(now, len(batch))
		for _, t := range batch {
			t.attempts++
			if !t.pacedSince.IsZero() {
				t.charged += now.Sub(t.pacedSince) // the time it waited for the pacer
				t.pacedSince = time.Time{}
			}
		}
		e.inFlight++
		e.mu.Unlock()
		return batch, true
	}
}

// notifyWait tells Retry.OnWait that the run waits d, and why.
func (e *engine) notifyWait(why string, d time.Duration) {
	if on := e.retry.OnWait; on != nil && d > 0 {
		on(e.ctx, why, d)
	}
}

// sleepUntil releases mu and sleeps from now until target, or until a batch is settled (which may
// bring the pacer's gate or an item's turn forward), then takes mu again; false means ctx ended the
// wait.
func (e *engine) sleepUntil(now, target time.Time, reached *time.Time) bool {
	wake := e.wake
	e.mu.Unlock()
	ctx, cancel := context.WithCancel(e.ctx)
	stop := make(chan struct{})
	go func() {
		select {
		case <-wake:
			cancel()
		case <-stop:
		}
	}()
	err := e.sleepTo(ctx, now, target)
	close(stop)
	woken := ctx.Err() != nil && e.ctx.Err() == nil
	cancel()
	e.mu.Lock()
	if err == nil || !woken {
		*reached = later(*reached, target)
	}
	return e.ctx.Err() == nil
}

// wakeSlack is how late a timer may fire. Go's runtime waits for timers in its network poller,
// whose waits are whole milliseconds (a wait of less than one is one), so a sleep ends up to a
// millisecond after its time: 0.4 ms on average, 1 ms at the 90th percentile, measured against
// the emulator. Against a throttle with a burst of one (a token every 5 ms at 200 a second) a batch
// sent late wastes the token the bucket held meanwhile, and the pacer's spacing grows by as much.
const wakeSlack = time.Millisecond

// sleepTo sleeps from now until target: through Retry.Sleep until wakeSlack before it, then by
// yielding until the clock reaches it (at most wakeSlack of a core's time per wait). A Sleep that
// returned long before its time (as tests inject) counts as having waited, as the engine takes it;
// a clock that does not move while the engine runs (a testing/synctest bubble's) has the rest slept
// on a timer, which is exact there.
func (e *engine) sleepTo(ctx context.Context, now, target time.Time) error {
	if d := target.Sub(now) - wakeSlack; d > 0 {
		if err := e.sleep(ctx, d); err != nil {
			return err
		}
	}
	for last := time.Now(); last.Before(target); {
		if target.Sub(last) > 2*wakeSlack {
			return nil // Sleep did not wait
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
		t := time.Now()
		if !t.After(last) {
			return httpretry.Sleep(ctx, target.Sub(t))
		}
		last = t
	}
	return nil
}

func (e *engine) sleep(ctx context.Context, d time.Duration) error {
	if e.retry.Sleep != nil {
		return e.retry.Sleep(ctx, d)
	}
	return httpretry.Sleep(ctx, d)
}

// awaken ends the waits of sleepUntil; the engine calls it, under mu, when a batch is settled.
func (e *engine) awaken() {
	close(e.wake)
	e.wake = make(chan struct{})
}

// takeEligible removes up to n tasks that are due by now from the queue, oldest first. With none
// due, earliest is when the first one will be.
func (e *engine) takeEligible(now time.Time, n int) (batch []*task, earliest time.Time) {
	keep := e.pending[:0]
	for _, t := range e.pending {
		if len(batch) < n && !t.eligible.After(now) {
			batch = append(batch, t)
			continue
		}
		if earliest.IsZero() || t.eligible.Before(earliest) {
			earliest = t.eligible
		}
		keep = append(keep, t)
	}
	clear(e.pending[len(keep):])
	e.pending = keep
	return batch, earliest
}

// settle takes a sent batch's outcome: finished items become results (returned, for emit), the
// others go back to the queue, and the pacer learns how throttled the batch was.
func (e *engine) settle(batch []*task, sentAt time.Time, answers []Answer, err error) []Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.cond.Broadcast()
	defer e.awaken()
	e.inFlight--
	now := time.Now()
	var out []Result
	if err != nil && answers == nil {
		e.pace.unanswered(len(batch))
		if e.ctx.Err() != nil {
			// Interrupted (or stopped) in flight: the batch may have reached the provider.
			// Reported at the end, as not sent or outcome unknown.
			e.inDoubt(batch)
			e.requeue0(batch)
			return nil
		}
		if sharing.IsCredentialError(err) || sharing.IsUnauthorized(err) {
			// No token, or the provider refused it even after a refresh: stop the run and hand
			// the error to the caller (exit 4) rather than retrying every item into the same wall.
			if e.fatal == nil {
				e.fatal = err
			}
			e.cancel()
			e.requeue0(batch)
			return nil
		}
		ae, answered := sharing.AsAPIError(err)
		status := 0
		if answered {
			e.lastAnswer = now
			status = ae.HTTPStatus()
		}
		if !answered || status >= 500 && status != http.StatusServiceUnavailable {
			e.inDoubt(batch) // no answer, or a gateway's: the batch may have run
		}
		if !answered && now.Sub(e.lastAnswer) >= e.o.StallTimeout {
			// The provider has answered nothing for as long as one request waits: stop, as one
			// request would, instead of sending every item into the same silence.
			if e.stalled == nil {
				e.stalled = &StalledError{Service: e.s.Service(), After: e.o.StallTimeout}
				e.cancel()
			}
			e.requeue0(batch)
			return nil
		}
		// A batch the provider kept throttling for the whole retry budget is final: the client
		// waited it out.
		permanent := sharing.IsRetryBudgetSpent(err) || answered && status >= 400 && status < 500 &&
			status != http.StatusRequestTimeout && status != http.StatusFailedDependency &&
			status != http.StatusTooManyRequests
		code, msg := "requestFailed", safetext.Line(err.Error())
		if answered && ae.ErrorCode() != "" {
			code, msg = ae.ErrorCode(), safetext.Line(ae.ErrorMessage()) // the code travels on its own
		}
		// One wait for the whole batch keeps its items together for the next try.
		wait := httpretry.Backoff(batch[0].attempts)
		for _, t := range batch {
			if permanent || t.attempts >= e.o.MaxAttempts {
				out = append(out, e.finish(t, e.final(t, status, code, msg)))
				continue
			}
			t.eligible = now.Add(wait)
			e.pending = append(e.pending, t)
		}
		return out
	}
	e.lastAnswer = now
	// The pacer reads the batch first: whether this is a throttle spell decides how its
	// throttled items wait.
	o := outcome{now: now, sentAt: sentAt, sent: len(batch)}
	for i, a := range answers {
		switch {
		case a.Status == 0:
		case httpretry.Throttled(a.Status):
			o.throttled++
			if batch[i].throttles == 0 {
				o.fresh++
			}
			wait, ok, exact := readRetryAfter(a.RetryAfter, now)
			switch {
			case ok && exact:
				if !o.hasExact || wait < o.exact {
					o.exact, o.hasExact = wait, true
				}
			case ok:
				o.whole = max(o.whole, min(wait, e.retry.MaxWait))
			}
		default:
			o.admitted++
		}
	}
	e.pace.observe(o)
	for i, t := range batch {
		a := answers[i]
		if a.Status == 0 { // unanswered in an incomplete batch: it may or may not have run, so send it again
			e.inDoubt([]*task{t})
			if t.attempts >= e.o.MaxAttempts {
				out = append(out, e.finish(t, e.final(t, 0, "requestFailed", safetext.Line(err.Error()))))
				continue
			}
			t.eligible = now.Add(httpretry.Backoff(t.attempts))
			e.pending = append(e.pending, t)
			continue
		}
		switch {
		case a.Status < 300:
			next, res, fail := e.s.Advance(t.step, a)
			switch {
			case next != nil:
				// On to the item's next step, afresh.
				t.step, t.attempts, t.eligible, t.throttles, t.charged = next, 0, time.Time{}, 0, 0
				e.pending = append(e.pending, t)
			case res != nil:
				res.Index, res.Input = t.index, e.inputs[t.index]
				out = append(out, e.finish(t, *res))
			default:
				if fail == nil {
					fail = &Error{Code: "invalidResponse", Message: "unexpected " + statusLine(a.Status) + " from " + e.s.Service()}
				}
				out = append(out, e.finish(t, e.failure(t, a.Status, fail.Code, fail.Message)))
			}
		case httpretry.Throttled(a.Status):
			// Waited out for the retry budget, as a single request is; not counted as an attempt.
			t.attempts--
			t.throttles++
			ra, ok, exact := readRetryAfter(a.RetryAfter, now)
			wait, paced := e.pace.itemWait(t.throttles, min(ra, e.retry.MaxWait), ok, exact)
			// The budget counts the time the item waits: its own Retry-After (at least
			// MinThrottleCharge, so a provider answering "0" forever gets a retry per second of
			// budget), or, when the pacer decides, the time until it goes again.
			charge := wait
			if !paced {
				charge = max(wait, httpretry.MinThrottleCharge)
			}
			if t.charged+charge > e.retry.Budget {
				res := e.refusal(t, a)
				res.Err.Message += fmt.Sprintf("; still throttled after %d retries, which spent the %s retry budget (raise it with --retry-budget)", t.throttles-1, e.retry.Budget)
				out = append(out, e.finish(t, res))
				continue
			}
			if paced {
				t.pacedSince = now
			} else {
				t.charged += charge
			}
			t.eligible = now.Add(wait)
			e.pending = append(e.pending, t)
		case httpretry.HonoursRetryAfter(a.Status) || httpretry.RetryableServerError(a.Status):
			e.inDoubt([]*task{t}) // a 5xx to a link-making request may come after the link was made
			wait, ok := time.Duration(0), false
			if httpretry.HonoursRetryAfter(a.Status) {
				if wait, ok = httpretry.ParseRetryAfter(a.RetryAfter, now); ok {
					wait = min(wait, e.retry.MaxWait)
				}
			}
			if !ok {
				wait = httpretry.Backoff(t.attempts)
			}
			if t.attempts >= e.o.MaxAttempts {
				res := e.refusal(t, a)
				out = append(out, e.finish(t, e.final(t, res.Status, res.Err.Code, res.Err.Message)))
				continue
			}
			t.eligible = now.Add(wait)
			e.pending = append(e.pending, t)
		default:
			out = append(out, e.finish(t, e.refusal(t, a)))
		}
	}
	return out
}

// unsend puts back a batch that Admit held back and never sent: not an attempt, not in doubt.
func (e *engine) unsend(batch []*task) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.cond.Broadcast()
	defer e.awaken()
	e.inFlight--
	e.pace.unanswered(len(batch))
	for _, t := range batch {
		t.attempts--
	}
	e.pending = append(e.pending, batch...)
}

// inDoubt marks the unsafe steps of a batch that may have run without their answer reaching odshare.
func (e *engine) inDoubt(batch []*task) {
	for _, t := range batch {
		if t.step.Unsafe() {
			t.maybeDone = true
		}
	}
}

// final is t's failed result when no more attempts are left: OutcomeUnknown, with the last
// failure's message, when one of its sends may have made the link.
func (e *engine) final(t *task, status int, code, msg string) Result {
	if t.maybeDone {
		return e.failure(t, status, OutcomeUnknown, fmt.Sprintf("sent %d times without a usable answer (%s: %s): %s",
			t.attempts, code, msg, outcomeUnknownHint(e.o.Rerun)))
	}
	return e.failure(t, status, code, msg)
}

// requeue0 puts a sent batch's tasks back without judging them (ctx ended while it was in flight).
func (e *engine) requeue0(batch []*task) {
	e.pending = append(e.pending, batch...)
}

// finish marks t done and returns its result.
func (e *engine) finish(t *task, r Result) Result {
	t.done = true
	return r
}

// failure is t's failed result.
func (e *engine) failure(t *task, status int, code, msg string) Result {
	return Result{Index: t.index, Input: e.inputs[t.index], Status: status, Err: &Error{Code: code, Message: msg}}
}

// refusal is t's failed result from an error answer.
func (e *engine) refusal(t *task, a Answer) Result {
	f := e.s.Refusal(t.step, a)
	return e.failure(t, a.Status, f.Code, f.Message)
}

// emit hands results to OnResult, one call at a time across workers.
func (e *engine) emit(rs []Result) {
	if len(rs) == 0 || e.o.OnResult == nil {
		return
	}
	e.emitMu.Lock()
	defer e.emitMu.Unlock()
	for _, r := range rs {
		e.o.OnResult(r)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// statusLine is "HTTP 202 Accepted".
func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if 'A' <= b[0] && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// StatusLine is "HTTP 202 Accepted", for messages about an answer.
func StatusLine(code int) string { return statusLine(code) }

// Linker is a Provider that can make many links in one run (ask with sharing.As[bulk.Linker]).
type Linker interface {
	// LinkSender prepares a run making links with spec for items, all of this provider's.
	LinkSender(items []sharing.Item, spec sharing.LinkSpec) (Sender, error)
	// ReadLink reads a result's Raw as a neutral Link, with what it lacks of spec.
	ReadLink(raw json.RawMessage, spec sharing.LinkSpec) (*sharing.Link, []sharing.Difference, error)
	// ResultKey is the key of the provider's object in odshare's JSON for one bulk item
	// ({"item", "status", <key>, "error"}): "permission" for Graph.
	ResultKey() string
}
