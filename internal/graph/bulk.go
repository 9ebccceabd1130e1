package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/httpretry"
)

// BulkItem is one item for CreateLinks.
type BulkItem struct {
	// Input is the item as the user gave it, echoed in its BulkResult.
	Input string
	// Ref is the parsed item.
	Ref ItemRef
}

// BulkResult is the outcome of one BulkItem.
type BulkResult struct {
	// Index is the item's position in CreateLinks' items.
	Index int
	// Input is the item's Input.
	Input string
	// Status is createLink's final HTTP status (201 or 200) on success, the failing status on failure
	// (that of the share lookup when resolving a sharing URL failed), and 0 when no response was had
	// (transport failure, cancellation).
	Status int
	// Created is true for 201 (a new link), false for 200 (Graph returned the existing link) [CL1].
	Created bool
	// Permission is Graph's permission unchanged; success only.
	Permission json.RawMessage
	// Err says why the item failed; nil on success.
	Err *BulkError
}

// BulkError is why one bulk item failed.
type BulkError struct {
	// Code is Graph's error code ("itemNotFound", "TooManyRequests"), or odshare's own: BulkCancelled,
	// BulkStalled, "unauthenticated" (not sent), BulkOutcomeUnknown (sent, no answer), "requestFailed" (no
	// usable answer from Graph to a request that could not have made a link), "invalidResponse" (an answer
	// odshare can't use).
	Code string
	// Message is Graph's message, or odshare's description, safe to print.
	Message string
}

// Error returns "code: message".
func (e *BulkError) Error() string {
	switch {
	case e.Message == "":
		return e.Code
	case e.Code == "":
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// The codes of items a run could not finish. An item is reported as not done (BulkCancelled,
// BulkStalled, "unauthenticated") only when its createLink was never sent, or every send of it was
// refused (throttled, or an authentication failure); when a send may have reached Graph without an
// answer coming back, the item is BulkOutcomeUnknown.
const (
	// BulkCancelled is an item whose createLink was not sent before the run was interrupted.
	BulkCancelled = "cancelled"
	// BulkStalled is an item whose createLink was not sent before the run stopped because Graph
	// answered nothing for BulkOptions.StallTimeout.
	BulkStalled = "stalled"
	// BulkOutcomeUnknown is an item whose createLink was sent but never answered (interrupted, timed
	// out, the connection dropped): the link may exist. Running the same command again settles it,
	// since Graph answers 200 with a link of the same type and scope that exists [CL1].
	BulkOutcomeUnknown = "outcomeUnknown"
)

// outcomeUnknownHint ends every BulkOutcomeUnknown message; rerun (BulkOptions.Rerun) says how to
// run the command again.
func outcomeUnknownHint(rerun string) string {
	if rerun == "" {
		rerun = "run the same command again"
	}
	return "the link may have been made; " + rerun + ": an item whose link exists is then reported as existing"
}

// BulkStalledError ends a run in which Graph answered nothing for BulkOptions.StallTimeout.
type BulkStalledError struct {
	After time.Duration
}

func (e *BulkStalledError) Error() string {
	return fmt.Sprintf("Graph answered no request for %s, so odshare stopped; run the same command again later", e.After)
}

// BulkOptions tunes CreateLinks.
type BulkOptions struct {
	// Concurrency is how many batches may be in flight; 0 means 4.
	Concurrency int
	// BatchSize is how many sub-requests go in one batch, at most 20; 0 means 20.
	BatchSize int
	// MaxAttempts bounds the sends of each item's request (share lookup and createLink each), counting
	// retryable sub-responses (429, 5xx) and failed batches; 0 means 10.
	MaxAttempts int
	// BatchTimeout bounds one batch, its own retries included; 0 means the client's retry budget plus
	// DefaultStallTimeout.
	BatchTimeout time.Duration
	// StallTimeout ends the run when a batch fails without an answer and Graph has answered no batch
	// for this long; 0 means DefaultStallTimeout. The run is then bounded as one request is.
	StallTimeout time.Duration
	// Rerun is how an outcome-unknown item's message says to run the command again when the same
	// command would not ask the same (a relative expiry: a rerun asks a later one, and the link
	// made gets reported as differing); "" means "run the same command again".
	Rerun string
	// OnResult gets every item's result exactly once, as it completes, in no particular order. Calls are
	// serialized, so it needs no locking of its own; it should return quickly, as workers wait for it.
	OnResult func(BulkResult)
}

const (
	defaultBulkConcurrency = 4
	defaultBulkAttempts    = 10
	// DefaultStallTimeout is as long as one request waits for Graph's answer (the HTTP client's
	// timeout).
	DefaultStallTimeout = 2 * time.Minute
)

// CreateLinks creates (or returns the existing) sharing link for every item, through JSON batches
// [BAT], reporting each item's result to o.OnResult exactly once.
//
// Ids and paths become POST {drive}{item}/createLink sub-requests. Sharing URLs and share ids are first
// resolved with batched GET /shares/{token}/driveItem sub-requests, then get POST
// /drives/{driveId}/items/{id}/createLink, as CreateLink does. Up to o.Concurrency workers each send
// batches of up to o.BatchSize ready sub-requests. A sub-request answered 429, 503, 504 or another
// retryable 5xx goes back to the queue until its own Retry-After (fractional seconds allowed), or an
// exponential backoff without one; throttling also holds every worker back (see pacer), so a throttled
// run proceeds at the rate Graph admits. Other 4xx answers are final failures carrying Graph's code and
// message. A batch that fails as a whole after Do's retries sends its items back to the queue, counting
// an attempt; a 4xx for the whole batch (other than 408, 424, 429) is final for its items, since
// re-sending the same batch can't help.
//
// Re-sending a createLink whose response was lost is safe: Graph answers 200 with the link already made
// for that type and scope [CL1]. So an item may come out as existing (Created false) when its first
// attempt had in fact created the link, but never as two links, nor twice in OnResult.
//
// Throttled sub-requests (429, 503) are retried for the client's retry budget, per item; a batch that
// times out (BatchTimeout) or fails without an answer while Graph has answered nothing for
// StallTimeout ends the run with a *BulkStalledError, so a Graph that never answers stops a run as
// soon as it would stop one request.
//
// On cancellation it stops sending, waits for the batches in flight, reports every unfinished item as
// BulkCancelled, or BulkOutcomeUnknown when its createLink may have reached Graph, and returns
// ctx.Err(). It returns nil when every item was processed,
// whatever the failures (callers count them from the results), and an error without calling OnResult at
// all for invalid options or items.
func (c *Client) CreateLinks(ctx context.Context, drive DriveRef, items []BulkItem, req api.CreateLinkRequest, o BulkOptions) error {
	if o.Concurrency < 0 || o.BatchSize < 0 || o.BatchSize > MaxBatchRequests || o.MaxAttempts < 0 {
		return fmt.Errorf("graph: invalid bulk options: concurrency %d, batch size %d (at most %d), max attempts %d",
			o.Concurrency, o.BatchSize, MaxBatchRequests, o.MaxAttempts)
	}
	if o.Concurrency == 0 {
		o.Concurrency = defaultBulkConcurrency
	}
	if o.BatchSize == 0 {
		o.BatchSize = MaxBatchRequests
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = defaultBulkAttempts
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.BatchTimeout <= 0 {
		o.BatchTimeout = c.send.RetryBudget + DefaultStallTimeout
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Ref.Kind == ItemByID || it.Ref.Kind == ItemByPath {
			// One request for the site, before the batches, rather than one per item.
			if drive, err = c.ResolveSite(ctx, drive); err != nil {
				return err
			}
			break
		}
	}
	// The engine's context also ends when authentication fails for good (see abort): every later
	// batch would fail the same way.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	e := &bulkEngine{c: c, o: o, ctx: runCtx, cancel: cancel, items: items, body: body, lastAnswer: time.Now()}
	e.cond = sync.NewCond(&e.mu)
	e.tasks = make([]bulkTask, len(items))
	e.pending = make([]*bulkTask, 0, len(items))
	checkedDrive := false
	for i, it := range items {
		t := &e.tasks[i]
		t.index = i
		if it.Ref.Value == "" {
			return fmt.Errorf("graph: bulk item %d: empty item reference", i)
		}
		switch it.Ref.Kind {
		case ItemBySharingURL, ItemByShareID:
			p, err := sharesPath(ShareToken(it.Ref))
			if err != nil {
				return fmt.Errorf("graph: bulk item %d: %w", i, err)
			}
			t.resolve, t.url = true, p+"/driveItem"
		default:
			if !checkedDrive {
				if err := checkDrive(drive); err != nil {
					return err
				}
				checkedDrive = true
			}
			t.url = ItemActionPath(drive.ItemPath(it.Ref), "createLink")
		}
		e.pending = append(e.pending, t)
	}
	if len(items) == 0 {
		return nil
	}
	stop := context.AfterFunc(runCtx, func() {
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()

	var wg sync.WaitGroup
	for range min(o.Concurrency, len(items)) {
		wg.Go(e.work)
	}
	wg.Wait()

	// Every worker is gone: whatever is unfinished was never answered.
	code, msg, why := BulkCancelled, "not sent: the run was interrupted", "the run was interrupted"
	switch {
	case e.fatal != nil:
		code, msg, why = "unauthenticated", "not sent: "+sanitize(e.fatal.Error()), "authentication failed"
	case e.stalled != nil:
		code, msg, why = BulkStalled, "not sent: "+e.stalled.Error(), fmt.Sprintf("Graph answered nothing for %s", e.stalled.After)
	}
	var rest []BulkResult
	for i := range e.tasks {
		if t := &e.tasks[i]; !t.done {
			t.done = true
			if t.maybeDone {
				rest = append(rest, e.failure(t, 0, BulkOutcomeUnknown, "sent, but "+why+" before Graph answered: "+outcomeUnknownHint(e.o.Rerun)))
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
	return errors.New("graph: bulk run stopped with unfinished items") // unreachable unless the engine is wrong
}

// bulkTask is one item's progress: first the share lookup (resolve) if it needs one, then createLink.
type bulkTask struct {
	index    int
	resolve  bool   // url is the share lookup, not createLink yet
	url      string // the current sub-request's URL
	attempts int    // sends of the current sub-request, throttled ones not counted
	eligible time.Time
	done     bool
	// maybeDone is set once a createLink of this item may have reached Graph without an answer
	// coming back (interrupted in flight, timed out, the connection dropped, missing from a batch
	// response, a 5xx other than 503); only a success or a 4xx settles it.
	maybeDone bool
	throttles int           // throttled answers to the current sub-request
	charged   time.Duration // of the retry budget, by those answers
}

// bulkEngine is one CreateLinks run. mu guards the queue, the tasks and the pacer; emitMu serializes
// OnResult.
type bulkEngine struct {
	c      *Client
	o      BulkOptions
	ctx    context.Context
	cancel context.CancelFunc
	fatal  error // set by an authentication failure that ends the run
	// stalled is set when Graph answered nothing for StallTimeout; lastAnswer is when it last did.
	stalled    *BulkStalledError
	lastAnswer time.Time
	items      []BulkItem
	body       json.RawMessage

	mu       sync.Mutex
	cond     *sync.Cond
	tasks    []bulkTask
	pending  []*bulkTask // neither finished nor in flight
	inFlight int         // batches being sent
	pace     pacer

	emitMu sync.Mutex
}

// jsonHeaders is shared by every createLink sub-request; Batch never modifies a request's map.
var jsonHeaders = map[string]string{"Content-Type": "application/json"}

func (e *bulkEngine) work() {
	for {
		batch, ok := e.take()
		if !ok {
			return
		}
		reqs := make([]BatchRequest, len(batch))
		for i, t := range batch {
			reqs[i] = BatchRequest{ID: strconv.Itoa(t.index), URL: t.url}
			if t.resolve {
				reqs[i].Method = http.MethodGet
			} else {
				reqs[i].Method, reqs[i].Headers, reqs[i].Body = http.MethodPost, jsonHeaders, e.body
			}
		}
		sentAt := time.Now()
		bctx, cancel := context.WithTimeout(e.ctx, e.o.BatchTimeout)
		resps, err := e.c.batch(bctx, reqs)
		cancel()
		e.emit(e.settle(batch, sentAt, resps, err))
	}
}

// take waits until a batch may be sent and returns it, counted in flight; ok is false when there is
// nothing left to send or ctx is done. Waits go through the client's Sleep. A wait is taken to have
// reached its target when Sleep returns, even if the clock says otherwise, so an injected Sleep that
// returns at once makes the engine run through its waits instead of spinning on the clock.
func (e *bulkEngine) take() ([]*bulkTask, bool) {
	var reached time.Time // the latest time a Sleep of ours waited for
	e.mu.Lock()
	for {
		if e.ctx.Err() != nil || len(e.pending) == 0 && e.inFlight == 0 {
			e.cond.Broadcast()
			e.mu.Unlock()
			return nil, false
		}
		if len(e.pending) == 0 {
			e.cond.Wait() // the batches in flight will bring items back, or finish the run
			continue
		}
		now := later(time.Now(), reached)
		// Hold off for any Retry-After, and for the pacer's next slot. Slots are booked when a batch
		// goes, at the rate of that moment, so workers waiting together take turns.
		if gate := e.pace.gate(); gate.After(now) {
			if gate.Equal(e.pace.notBefore) {
				e.notifyWait("throttled by Graph", gate.Sub(now))
			}
			if !e.sleepUntil(now, gate, &reached) {
				e.mu.Unlock()
				return nil, false
			}
			continue
		}
		batch, earliest := e.takeEligible(now, e.pace.batchSize(e.o.BatchSize))
		if len(batch) == 0 {
			if e.inFlight == 0 {
				e.notifyWait("retrying what Graph throttled or failed", earliest.Sub(now))
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
		}
		e.inFlight++
		e.mu.Unlock()
		return batch, true
	}
}

// notifyWait tells the client's OnWait that the run waits d, and why.
func (e *bulkEngine) notifyWait(why string, d time.Duration) {
	if on := e.c.send.OnWait; on != nil && d > 0 {
		on(e.ctx, Wait{Reason: why, Delay: d})
	}
}

// sleepUntil releases mu and sleeps from now until target, then takes mu again; false means ctx ended
// the wait.
func (e *bulkEngine) sleepUntil(now, target time.Time, reached *time.Time) bool {
	e.mu.Unlock()
	err := e.c.send.Sleep(e.ctx, target.Sub(now))
	e.mu.Lock()
	*reached = later(*reached, target)
	return err == nil
}

// takeEligible removes up to n tasks that are due by now from the queue, oldest first. With none due,
// earliest is when the first one will be.
func (e *bulkEngine) takeEligible(now time.Time, n int) (batch []*bulkTask, earliest time.Time) {
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

// settle takes a sent batch's outcome: finished items become results (returned, for emit), the others go
// back to the queue, and the pacer learns how throttled the batch was.
func (e *bulkEngine) settle(batch []*bulkTask, sentAt time.Time, resps []BatchResponse, err error) []BulkResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.cond.Broadcast()
	e.inFlight--
	now := time.Now()
	var out []BulkResult
	var incomplete *BatchIncompleteError
	if err != nil && !errors.As(err, &incomplete) {
		if e.ctx.Err() != nil {
			// Interrupted (or stopped) in flight: the batch may have reached Graph. Reported at
			// the end, as not sent or outcome unknown.
			e.inDoubt(batch)
			e.requeue0(batch)
			return nil
		}
		var gerr *Error
		var throttled *ThrottledError
		var tokErr *TokenError
		if errors.As(err, &tokErr) || errors.As(err, &gerr) && gerr.Unauthorized() {
			// No token, or Graph refused it even after a refresh: stop the run and hand the
			// error to the caller (exit 4) rather than retrying every item into the same wall.
			if e.fatal == nil {
				e.fatal = err
			}
			e.cancel()
			e.requeue0(batch)
			return nil
		}
		answered := errors.As(err, &gerr)
		if answered {
			e.lastAnswer = now
		}
		if !answered || gerr.StatusCode >= 500 && gerr.StatusCode != http.StatusServiceUnavailable {
			e.inDoubt(batch) // no answer, or a gateway's: the batch may have run
		}
		if !answered && now.Sub(e.lastAnswer) >= e.o.StallTimeout {
			// Graph has answered nothing for as long as one request waits: stop, as one
			// request would, instead of sending every item into the same silence.
			if e.stalled == nil {
				e.stalled = &BulkStalledError{After: e.o.StallTimeout}
				e.cancel()
			}
			e.requeue0(batch)
			return nil
		}
		// A batch Graph kept throttling for the whole retry budget is final: Do waited it out.
		permanent := errors.As(err, &throttled) || answered && gerr.StatusCode >= 400 && gerr.StatusCode < 500 &&
			gerr.StatusCode != http.StatusRequestTimeout && gerr.StatusCode != http.StatusFailedDependency &&
			gerr.StatusCode != http.StatusTooManyRequests
		status, code, msg := 0, "requestFailed", sanitize(err.Error())
		if gerr != nil {
			status = gerr.StatusCode
			if gerr.Code != "" {
				code, msg = gerr.Code, sanitize(gerr.Message) // the code travels on its own
			}
		}
		// One wait for the whole batch keeps its items together for the next try.
		wait := backoff(batch[0].attempts)
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
	admitted, throttled := 0, 0
	var retryAfter time.Duration
	hasRetryAfter := false
	for i, t := range batch {
		r := resps[i]
		if r.Status == 0 { // unanswered in an incomplete batch: it may or may not have run, so send it again
			e.inDoubt([]*bulkTask{t})
			if t.attempts >= e.o.MaxAttempts {
				out = append(out, e.finish(t, e.final(t, 0, "requestFailed", sanitize(err.Error()))))
				continue
			}
			t.eligible = now.Add(backoff(t.attempts))
			e.pending = append(e.pending, t)
			continue
		}
		if r.Status == http.StatusTooManyRequests || r.Status == http.StatusServiceUnavailable {
			throttled++
		} else {
			admitted++
		}
		switch {
		case r.Status == http.StatusOK && t.resolve:
			if res, ok := e.resolved(t, r); !ok {
				out = append(out, e.finish(t, res))
			}
		case (r.Status == http.StatusOK || r.Status == http.StatusCreated) && !t.resolve:
			out = append(out, e.finish(t, BulkResult{Index: t.index, Input: e.items[t.index].Input,
				Status: r.Status, Created: r.Status == http.StatusCreated, Permission: r.Body}))
		case httpretry.Throttled(r.Status):
			// Waited out for the retry budget, as a single request is; not counted as an attempt.
			t.attempts--
			t.throttles++
			wait, ok := ParseRetryAfter(r.HeaderValue("Retry-After"), now)
			if ok {
				wait = min(wait, e.c.send.MaxWait)
				retryAfter, hasRetryAfter = max(retryAfter, wait), true
			} else {
				wait = httpretry.ThrottleBackoff(t.throttles)
			}
			charge := max(wait, httpretry.MinThrottleCharge)
			if t.charged+charge > e.c.send.RetryBudget {
				res := e.subFailure(t, r)
				res.Err.Message += fmt.Sprintf("; still throttled after %d retries, which spent the %s retry budget (raise it with --retry-budget)", t.throttles-1, e.c.send.RetryBudget)
				out = append(out, e.finish(t, res))
				continue
			}
			t.charged += charge
			t.eligible = now.Add(wait)
			e.pending = append(e.pending, t)
		case honoursRetryAfter(r.Status) || retryableServerError(r.Status):
			e.inDoubt([]*bulkTask{t}) // a 5xx to createLink may come after the link was made
			wait, ok := time.Duration(0), false
			if honoursRetryAfter(r.Status) {
				if wait, ok = ParseRetryAfter(r.HeaderValue("Retry-After"), now); ok {
					wait = min(wait, e.c.send.MaxWait)
				}
			}
			if !ok {
				wait = backoff(t.attempts)
			}
			if t.attempts >= e.o.MaxAttempts {
				res := e.subFailure(t, r)
				out = append(out, e.finish(t, e.final(t, res.Status, res.Err.Code, res.Err.Message)))
				continue
			}
			t.eligible = now.Add(wait)
			e.pending = append(e.pending, t)
		case r.Status < 300:
			out = append(out, e.finish(t, e.failure(t, r.Status, "invalidResponse",
				fmt.Sprintf("unexpected %s from Graph", statusLine(r.Status)))))
		default:
			out = append(out, e.finish(t, e.subFailure(t, r)))
		}
	}
	e.pace.observe(now, sentAt, admitted, throttled, retryAfter, hasRetryAfter)
	return out
}

// resolved moves a task whose share lookup succeeded on to createLink; when the answer has no usable
// address it returns the task's failure and false.
func (e *bulkEngine) resolved(t *bulkTask, r BatchResponse) (BulkResult, bool) {
	var di api.DriveItem
	if err := json.Unmarshal(r.Body, &di); err != nil {
		return e.failure(t, r.Status, "invalidResponse", "resolve share: decode driveItem: "+sanitize(err.Error())), false
	}
	driveID, itemID := sharedItemAddress(&di)
	if driveID == "" || itemID == "" {
		return e.failure(t, r.Status, "invalidResponse", errMissingAddress.Error()), false
	}
	t.resolve, t.url, t.attempts, t.eligible = false, ItemActionPath(driveItemPath(driveID, itemID), "createLink"), 0, time.Time{}
	t.throttles, t.charged = 0, 0
	e.pending = append(e.pending, t)
	return BulkResult{}, true
}

// inDoubt marks the createLink tasks of a batch that may have run without its answer reaching odshare.
func (e *bulkEngine) inDoubt(batch []*bulkTask) {
	for _, t := range batch {
		if !t.resolve {
			t.maybeDone = true
		}
	}
}

// final is t's failed result when no more attempts are left: BulkOutcomeUnknown, with the last
// failure's message, when one of its sends may have made the link.
func (e *bulkEngine) final(t *bulkTask, status int, code, msg string) BulkResult {
	if t.maybeDone {
		return e.failure(t, status, BulkOutcomeUnknown, fmt.Sprintf("sent %d times without a usable answer (%s: %s): %s",
			t.attempts, code, msg, outcomeUnknownHint(e.o.Rerun)))
	}
	return e.failure(t, status, code, msg)
}

// requeue0 puts a sent batch's tasks back without judging them (ctx ended while it was in flight).
func (e *bulkEngine) requeue0(batch []*bulkTask) {
	e.pending = append(e.pending, batch...)
}

// finish marks t done and returns its result.
func (e *bulkEngine) finish(t *bulkTask, r BulkResult) BulkResult {
	t.done = true
	return r
}

// failure is t's failed result.
func (e *bulkEngine) failure(t *bulkTask, status int, code, msg string) BulkResult {
	return BulkResult{Index: t.index, Input: e.items[t.index].Input, Status: status, Err: &BulkError{Code: code, Message: msg}}
}

// subFailure is t's failed result from a sub-response, with Graph's code and message when the body has
// them.
func (e *bulkEngine) subFailure(t *bulkTask, r BatchResponse) BulkResult {
	code, msg := errorOf(r.Body)
	if code == "" {
		code = "requestFailed"
	}
	if msg == "" {
		msg = statusLine(r.Status)
	}
	if t.resolve {
		msg = "resolve share: " + msg
	}
	return e.failure(t, r.Status, code, msg)
}

// emit hands results to OnResult, one call at a time across workers.
func (e *bulkEngine) emit(rs []BulkResult) {
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
