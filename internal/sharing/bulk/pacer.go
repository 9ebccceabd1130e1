package bulk

import (
	"math"
	"time"
)

// pacer decides when the bulk engine may send its next batch (a Graph $batch; one request for a
// provider without batching), so that a throttled run goes at the rate the provider admits instead of
// burning attempts on 429s (Graph's notes §6: "resource usage keeps counting while a client is
// throttled, so immediate retries make it worse" [THR]; Box counts requests per user per minute). It is
// not safe for concurrent use; the engine calls it under its lock.
//
// Two mechanisms work together:
//
//   - notBefore, a shared hold-off: every throttled sub-response (429, 503) with a Retry-After pushes it
//     to now+Retry-After, and no worker sends before it. This alone is enough when Graph's Retry-After
//     says how long until everything refused can pass.
//   - rate, a send rate in sub-requests per second, for throttles whose Retry-After only says when the
//     next single request can pass (a token bucket answering "1/R s"): waiting that long and then sending
//     four batches would see almost all of them refused again. While a throttled spell lasts, the rate is
//     set from what Graph actually admitted since the spell began (admitted/elapsed, which equals the
//     server's rate while we offer more than it admits), plus 10% so the estimate can't stick below the
//     real rate; a batch that comes back unthrottled raises it by 10%. Batches are spaced by n/rate
//     (GCRA), and kept small enough that one batch is about a quarter second of the rate.
//
// The first throttled response starts a spell but sets no rate: batches already in flight then were sent
// into a full bucket and say nothing about its rate, and a one-off 429 (a fault, a single burst) then
// costs only its Retry-After. The rate is set by the first throttled response to a batch sent during the
// spell, and dropped when nothing has been throttled for paceWindow.
type pacer struct {
	notBefore    time.Time
	rate         float64 // sub-requests per second; 0 means unpaced
	next         time.Time
	onset        time.Time // when the current throttled spell began; zero outside one
	lastThrottle time.Time
	samples      []paceSample
	size         int // batch size limit while paced; 0 means none yet
}

type paceSample struct {
	at       time.Time
	admitted int
}

const (
	paceWindow    = 2 * time.Second
	paceMinSpan   = 10 * time.Millisecond
	paceSlot      = 250 * time.Millisecond
	paceOvershoot = 1.1
	paceIncrease  = 1.1
	paceMinRate   = 1.0
	paceMaxCut    = 0.8
)

// admittedSince sums what the samples since t admitted.
func (p *pacer) admittedSince(t time.Time) int {
	sum := 0
	for _, s := range p.samples {
		if !s.at.Before(t) {
			sum += s.admitted
		}
	}
	return sum
}

// batchSize caps a batch to about paceSlot's worth of the current rate, so a slow rate is met with small,
// frequent batches rather than one burst of 20 every few seconds.
func (p *pacer) batchSize(limit int) int {
	if p.rate <= 0 {
		return limit
	}
	n := int(math.Ceil(p.rate * paceSlot.Seconds()))
	if p.size > 0 {
		n = min(n, p.size)
	}
	return max(1, min(n, limit))
}

// gate is the earliest time the next batch may go: after every Retry-After hold-off and, when paced,
// after the previous batch's share of the rate.
func (p *pacer) gate() time.Time {
	if p.rate > 0 && p.next.After(p.notBefore) {
		return p.next
	}
	return p.notBefore
}

// book records a batch of n sub-requests going at now.
func (p *pacer) book(now time.Time, n int) {
	if p.rate > 0 {
		p.next = now.Add(time.Duration(float64(n) / p.rate * float64(time.Second)))
	}
}

// observe takes one batch's outcome: sentAt is when it was sent, throttled how many sub-requests came back
// 429/503, admitted how many did not, and retryAfter the longest Retry-After among the throttled ones
// (hasRetryAfter false when none had one).
func (p *pacer) observe(now, sentAt time.Time, admitted, throttled int, retryAfter time.Duration, hasRetryAfter bool) {
	if throttled == 0 {
		p.learn(now, sentAt, admitted, throttled)
		return
	}
	p.lastThrottle = now
	starts := p.onset.IsZero()
	if !starts {
		p.learn(now, sentAt, admitted, throttled)
	}
	// Everyone holds off for the Retry-After until the run is paced, and whenever the provider has
	// admitted nothing lately (a window that refuses everything until it ends). While it admits at a
	// rate the run is paced to, a Retry-After is the refused step's own wait: Box's, in whole seconds,
	// says "1" when its bucket has a token again within milliseconds, and holding every worker a
	// second per 429 would cut the run to a fraction of what Box admits.
	if hasRetryAfter && (p.rate <= 0 || p.admittedSince(now.Add(-paceWindow)) == 0) {
		if nb := now.Add(retryAfter); nb.After(p.notBefore) {
			p.notBefore = nb
		}
	}
	if starts {
		// The spell's rate is measured from when sending resumes, not across the hold-off, when
		// nothing could be admitted because nothing was sent.
		p.onset, p.samples = later(now, p.notBefore), p.samples[:0]
	}
}

// learn updates the rate from one batch's outcome during a throttled spell (see observe).
func (p *pacer) learn(now, sentAt time.Time, admitted, throttled int) {
	if p.onset.IsZero() || sentAt.Before(p.onset) {
		return
	}
	if now.Sub(p.lastThrottle) > paceWindow {
		// The spell is over: nothing sent in the last window was refused.
		p.rate, p.onset, p.samples, p.size = 0, time.Time{}, p.samples[:0], 0
		return
	}
	p.samples = append(p.samples, paceSample{now, admitted})
	cut := 0
	for cut < len(p.samples) && now.Sub(p.samples[cut].at) > paceWindow {
		cut++
	}
	p.samples = p.samples[cut:]
	n := admitted + throttled
	if throttled == 0 {
		if p.rate > 0 {
			// Up by paceIncrease per slot's worth of requests admitted, so a provider without
			// batching (one request a send) probes upward as fast per second as Graph's batches.
			p.rate *= 1 + (paceIncrease-1)*min(1, float64(n)/(p.rate*paceSlot.Seconds()))
			if p.size > 0 {
				p.size += 1 + p.size/4
			}
		}
		return
	}
	// A throttle with a small burst refuses most of a big batch however well spaced the batches are:
	// shrink batches towards what one got through (at most halving), and grow them back while clean.
	if p.size == 0 || p.size > n {
		p.size = n
	}
	p.size = max((p.size+1)/2, admitted, 1)
	sum := 0
	for _, s := range p.samples {
		sum += s.admitted
	}
	if sum == 0 {
		return // nothing admitted yet: no rate to go by, only the Retry-After hold-off
	}
	span := min(now.Sub(p.onset), paceWindow)
	span = max(span, paceMinSpan)
	r := paceOvershoot * float64(sum) / span.Seconds()
	if p.rate > 0 && r < p.rate*paceMaxCut {
		// One unlucky batch must not stall the run; and with a throttle whose burst is smaller than
		// our batches, what got through undercounts the rate, so come down gradually.
		r = p.rate * paceMaxCut
	}
	p.rate = max(r, paceMinRate)
}
