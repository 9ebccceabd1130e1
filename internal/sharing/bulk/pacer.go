package bulk

import (
	"math"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
)

// pacer decides when the bulk engine may send its next batch (a Graph $batch; one request for a
// provider without batching), and how big it may be, so that a throttled run goes at the rate the
// provider admits instead of burning attempts on 429s (Graph's notes §6: "resource usage keeps
// counting while a client is throttled, so immediate retries make it worse" [THR]; Box counts
// requests per user per minute). It is not safe for concurrent use; the engine calls it under its
// lock.
//
// # The throttle it models
//
// A provider's throttle is taken to be a token bucket per client: tokens come at a rate R up to a
// burst of B; each sub-request of a batch takes one in turn, and one that finds none is answered 429
// with a Retry-After and takes none. That is what the emulator's throttle does and the simplest
// model of Graph's and Box's limits ("Graph evaluates the requests of a batch individually" [BAT];
// Box allows about 1,000 requests a minute per user). No client can beat (N − B)/R for N
// sub-requests; the pacer aims at that bound with few refusals, whatever B is and whether
// Retry-After is exact ("0.005") or whole seconds ("1", as Graph documents the header and Box sends
// it).
//
// # What an answer says
//
//   - A refused sub-request arrived at an empty bucket: at that moment the server had less than one
//     token, and what is in flight takes the next ones.
//   - The most sub-requests one batch got through is a lower bound of B (the bucket held that many).
//   - Between two moments the bucket was seen empty, while the client kept offering more than it
//     admitted (refusals no more than two round trips apart), it admitted R per second, give or take
//     the fraction of a token it held at each end. A stretch in which the client held back can only
//     come out low: the bucket may have filled up unseen and wasted tokens.
//   - What was admitted per second over the last second, less a burst, is at most R; so is a rate
//     the client held its batches to without a refusal.
//   - Retry-After says when to come back, not the rate. An exact one ("0.005") is when the next
//     token comes; but a batch arriving just before a token is told a short wait, and a throttle that
//     books each refused request a slot of its own tells long ones. A whole-second one ("1", as
//     Graph documents the header and Box sends it) says only that a token comes within that many
//     seconds: from a bucket refilling every 5 ms it means 5 ms.
//
// # What the pacer does
//
// (A bucket of one is paced by its refusals instead: see steered.)
//
// Outside a throttle spell nothing is paced: batches are as big as the run allows, and a refused
// sub-request that is isolated (a fault, a passing limit: less than half its batch and of a quarter
// of the recent answers, or only ever the same item) waits for its own Retry-After, holding no
// other item back.
//
// A spell begins when most of a batch is refused, or a quarter of the recent answers, refusing two
// items or more. In a spell the pacer keeps a mirror of the provider's bucket — rate R̂, size B̂ —
// set, whenever an answer shows the real one empty, to what a batch sent now will find a round trip
// later (R̂ × round trip, less what is in flight). Batches are about half of B̂, and go when the
// mirror holds the batch and half of what B̂ leaves beside it, so a batch arriving early or late by
// (B̂ − n)/2R̂ still finds its tokens without the bucket overflowing. When round trips vary by more
// than that, batches are spaced by what is missing on top of n/R̂, and a refusal only ever empties
// the mirror, never fills it. When the workers, each waiting a round trip for its batch, cannot
// offer a quarter more than R̂ anyway, the mirror goes at what they can offer, which only spreads
// them out.
//
// R̂ is the highest rate measured within paceWindow (until one stretch of paceSpan has been, what the
// stretches so far give, counting one token more), never below the admitted rate nor a rate the
// mirror held batches to without a refusal. While the mirror holds batches back and nothing is
// refused, R̂ goes up: by paceRaise each two round trips until a rate has been measured, by paceNudge
// each paceNudgeAfter after; a raise followed by a refusal makes the next one its square root, so R̂
// closes in on R.
//
// A refused batch never makes the next one bigger: a batch partly refused caps the size at what got
// through (the burst was too small for it), and each clean batch lets it grow by one.
//
// Everyone is held back (notBefore) only when most of a batch is refused: until its exact
// Retry-After, or its whole-second Retry-After when that is 2 s or more (a real hold-off). For a
// whole-second "1", or none, nobody is held while the recent answers admit anything (the mirror, or
// the next batches, tell more); when none do, a probe, doubling while nothing gets through, up to
// the Retry-After. In a spell a refused item goes back to the queue for its exact Retry-After, or its
// whole-second one of 2 s or more, less a round trip (it then reaches the provider when Retry-After
// said); otherwise the mirror decides when it goes — the rate the client offers, not which item, is
// what the provider counts. An item refused again waits at least paceItemBackoff, doubling. Its
// retry budget counts the time it really waited.
//
// While a spell keeps batches smaller than the run's batch size, more of them may be in flight than
// the run's concurrency, so that the workers can offer more than R̂ (see inFlight).
//
// The spell ends when nothing has been refused for paceEnd.
type pacer struct {
	limit   int // the run's batch size
	workers int // the run's concurrency: batches in flight, but see inFlight

	notBefore time.Time // no batch before this: most of a batch was refused

	outstanding int // sub-requests sent and not yet answered
	admitted    int // sub-requests admitted in the run, as answered
	recent      [paceRecent]paceAnswer
	recentN     int // answers recorded in recent, at most paceRecent
	recentNext  int
	burst       int           // B̂: the most sub-requests one batch got through
	rtt, rttvar time.Duration // smoothed round trip, and its mean deviation [RFC 6298]

	// The current spell; spell is false outside one.
	spell       bool
	lastRefusal time.Time
	lastRaise   time.Time     // when the rate last went up
	onset       time.Time     // when the spell began
	events      []paceEvent   // refusals of batches sent in the spell, within paceWindow (and the one before)
	measured    []paceRate    // rates measured over at least paceSpan, within paceWindow
	answers     []paceEvent   // every answer in the spell within paceRecentSpan (and the one before)
	rate        float64       // R̂ in sub-requests per second; 0 until known
	size        int           // batch size cap: what a partly refused batch got through, +1 per clean batch
	probe       time.Duration // the hold-off while nothing is known but that nothing passes
	probeAt     time.Time     // when the last probe hold-off began
	binding     bool          // the mirror has held a batch back since the rate last went up
	floor       float64       // the pace before the last raise: the mirror held batches to it, and all were admitted
	floorAt     time.Time
	raised      bool    // the rate went up, and nothing has been refused since
	raiseBy     float64 // how much it goes up next: paceRaise, and less after each raise that was refused
	tokens      float64 // the mirror's tokens at tokensAt
	tokensAt    time.Time

	// A bucket of one is paced by the share of refusals (see steered).
	steer        float64   // the pace; 0 until it is steered
	steerSince   time.Time // batches sent since count for the current pace
	steerAnswers int       // answers to them
	steerRefused int       // refusals among them
	steerSlow    bool      // the pace has been cut once: it now moves by small steps
	steerHeld    bool      // the mirror held a batch back in the current window
}

// paceAnswer is one sub-request's answer, as recent remembers it.
type paceAnswer uint8

const (
	paceAdmitted     paceAnswer = iota
	paceRefused                 // the item's first refusal
	paceRefusedAgain            // an item refused before
)

// paceEvent is a moment the provider's bucket was seen empty, and how many sub-requests the run had
// had admitted by then.
type paceEvent struct {
	at       time.Time
	admitted int
}

// paceRate is a rate measured over a stretch ending at at.
type paceRate struct {
	at   time.Time
	rate float64
}

const (
	// paceWindow is how far back the rate is estimated.
	paceWindow = 2 * time.Second
	// paceEnd is how long a spell outlives its last refusal. While the pacer keeps batches small
	// and spaced, nothing may be refused for a long time, and a throttle that has stopped
	// answering 429 may simply be well paced.
	paceEnd = 10 * time.Second
	// paceRaise is how much the rate goes up when a spell's batches stay clean for two round trips
	// while the mirror holds them back and the rate has not been measured over paceSpan: the
	// estimate may have come from a bucket that filled up while nothing was offered.
	paceRaise = 1.25
	// paceNudge is how much the rate goes up, once measured, after paceNudgeAfter without a
	// refusal while the mirror holds batches back: the provider may admit more than it did.
	paceNudge      = 1.1
	paceNudgeAfter = 250 * time.Millisecond
	// paceMinRaise is the least a raise refused after it leaves the next at.
	paceMinRaise = 1.02
	// paceRecentSpan is how far back the admitted rate is taken.
	paceRecentSpan = time.Second
	// paceSpan is the shortest stretch between two refusals a rate is measured over.
	paceSpan = 100 * time.Millisecond
	// paceBound is how much more than the rate the workers must be able to offer for the mirror
	// to hold them to the rate rather than spread them out.
	paceBound = 1.25
	// paceRecent is how many answers the share refused lately is taken over.
	paceRecent = 40
	// paceMinSpan is the shortest time between refusals that an admitted count is divided by.
	paceMinSpan = 10 * time.Millisecond
	// paceProbe is the first hold-off of a spell in which nothing gets through and Retry-After
	// gives no wait shorter than a second.
	paceProbe = 20 * time.Millisecond
	// paceItemBackoff is the least wait of an item refused the second time in a spell.
	paceItemBackoff = 10 * time.Millisecond
	// paceMinRate is the least rate the mirror goes at.
	paceMinRate = 1.0
	// paceMaxWorkers is how many times the run's concurrency the batches in flight may be while a
	// spell keeps them smaller than the run's batch size (inFlight).
	paceMaxWorkers = 2
	// A bucket of one's pace (steered): it goes up by paceSteerUp after paceSteerWindow answers
	// without a refusal, and comes down by paceSteerDown at the paceSteerCut-th refusal within
	// them, so it settles where one or two answers in 40 are refused. Until refusals first come
	// that many at once, it goes up by paceSteerFast after each paceSteerFirst answers with at most
	// one refusal.
	paceSteerWindow = 40
	paceSteerUp     = 1.02
	paceSteerDown   = 0.97
	paceSteerCut    = 3
	paceSteerFirst  = 10
	paceSteerFast   = 1.15
)

// batchSize is how many sub-requests the next batch may carry.
func (p *pacer) batchSize() int {
	if !p.spell {
		return p.limit
	}
	return max(1, min((max(p.burst, 1)+1)/2, p.size, p.limit))
}

// pace is the rate the mirror fills at; 0 when unpaced (outside a spell, or before the rate is
// known).
//
// Batches reach the provider a round trip after they go, and round trips vary. The reserve the
// mirror keeps beside a batch lets one arrive early by (B̂ − n)/2R̂ and still find its tokens; when
// round trips vary by more than that (a burst of one leaves no reserve), batches are spaced by
// what is missing on top of n/R̂: slower than the rate, but none refused for arriving early.
//
// Otherwise, when the workers, each waiting a round trip for its batch, cannot offer much more than
// R̂ anyway, holding batches back to R̂ would only risk an underestimate: the mirror then goes at
// what the workers can offer, which only spreads their batches out evenly.
func (p *pacer) pace() float64 {
	if !p.spell {
		return 0
	}
	if p.steering() {
		return p.steer
	}
	if p.rate <= 0 {
		return 0
	}
	r := max(p.rate, paceMinRate)
	n := float64(p.batchSize())
	if missing := p.shortfall(); missing > 0 {
		return n / (n/r + missing)
	}
	if p.rtt > 0 {
		if c := float64(p.inFlight()) * n / p.rtt.Seconds(); c < paceBound*r {
			r = max(r, c)
		}
	}
	return r
}

// inFlight is how many batches may be in flight: the run's concurrency, but in a spell that keeps
// batches smaller than the run's batch size, enough to offer paceBound × R̂ over a round trip —
// four batches of one over a 20 ms round trip offer 200 a second, no more than a throttle of 200
// admits, and an answer late by the jitter loses the token the bucket held meanwhile. They are at
// most paceMaxWorkers times the concurrency, and never more sub-requests than its full batches.
func (p *pacer) inFlight() int {
	n := p.batchSize()
	if !p.spell || max(p.rate, p.steer) <= 0 || p.rtt <= 0 || n >= p.limit {
		return p.workers
	}
	r := max(p.rate, p.steer)
	most := min(paceMaxWorkers*p.workers, p.workers*p.limit/n)
	want := min(math.Ceil(paceBound*r*p.rtt.Seconds()/float64(n))+1, float64(most))
	return max(p.workers, int(want))
}

// mayAdd reports whether a batch may go with inFlight batches in flight: one of the run's
// concurrency always may (that many full batches is the run's bound); one more only while inFlight
// asks for it and the sub-requests in flight stay within the concurrency's full batches — batches
// sent before the spell shrank them may still be in flight.
func (p *pacer) mayAdd(inFlight int) bool {
	if inFlight < p.workers {
		return true
	}
	return inFlight < p.inFlight() && p.outstanding+p.batchSize() <= p.workers*p.limit
}

// steered reports whether the pace is steered by the share of refusals — in a spell against a
// bucket of one — and starts steering it. Only batches of more than one show a bucket of one (B̂
// is the most one batch got through): a provider without batching (Box) always gives B̂ = 1, so
// its bucket, holding 40 at Box's 200 a second, is paced by the mirror (steered, bench case 5a at
// eight in flight sent 2.19 requests a link, 190 of them refused, against 2.03 unsteered).
//
// Each admission empties such a bucket, so a batch arriving a moment early, by the round trips'
// jitter, is refused however well R is known, and one arriving late wastes the token that waited
// for it. The best pace lies below R by an amount only the jitter decides, and past it refusals
// cost more than the pace gains: in TestPacerReachesTheBound's harness, with up to a millisecond
// of jitter, a fixed 170 a second against 200 takes 1.19× the bound, 180 1.26×, 190 1.62×; on the
// emulator 195 took 1.11–1.21× and 200 1.69–1.73×. R̂, measured between refusals that come from
// the jitter, measures the pace, not R. The refusals themselves tell where the best pace is:
// it starts at what the run's concurrency offers over a round trip (or R̂'s pace or the admitted
// rate, if higher), with the mirror empty but owing nothing for the batches in flight when the
// spell began; goes up quickly until refusals come three at once, steps back half the last step,
// and then moves by small steps (see paceSteerWindow), settling where one or two answers in 40 are
// refused: on the emulator, a pace a few per cent under R. A window in which nothing got through
// (an outage, a hold-off) moves nothing; the pace goes up only in a window in which it held a
// batch back, and no further than steerCap. (A cut at the second refusal settled
// lower: 1.17× the bound on average over eight runs, against 1.14× at the third.) A refusal
// leaves the mirror as it is: the steered pace spaces the batches.
func (p *pacer) steered(now time.Time) bool {
	if !p.spell || p.burst != 1 || p.limit == 1 {
		p.steer = 0
		return false
	}
	if p.steer == 0 {
		start := p.pace()
		if p.rtt > 0 {
			start = max(start, float64(p.workers)/p.rtt.Seconds())
		}
		p.steer = min(max(paceMinRate, start, p.admittedRate(now)), p.steerCap())
		// What the mirror owes for batches in flight when the spell began (a run's first
		// batches of 20, mostly refused) is not owed to a bucket of one: it starts empty.
		p.tokens, p.tokensAt = 0, now
		p.steerSince, p.steerAnswers, p.steerRefused, p.steerSlow, p.steerHeld = time.Time{}, 0, 0, false, false
	}
	return true
}

// steering reports whether the pace is steered: steer is set only by steered, which clears it
// whenever the spell, the bucket of one or the batching is gone, as the spell's start and end do.
func (p *pacer) steering() bool { return p.steer > 0 }

// steerBy counts the answers to batches sent at the steered pace, and moves the pace when a window
// of them closes: paceSteerFirst answers until the first refusals come (fast), paceSteerWindow
// after, or paceSteerCut refusals, whichever comes first.
func (p *pacer) steerBy(o outcome) {
	if !p.steered(o.now) || o.sentAt.Before(p.steerSince) || o.sentAt.Before(p.onset) {
		return
	}
	p.steerAnswers += o.admitted + o.throttled
	p.steerRefused += o.throttled
	window := paceSteerWindow
	if !p.steerSlow {
		window = paceSteerFirst
	}
	if p.steerAnswers < window && p.steerRefused < paceSteerCut {
		return
	}
	// A pace goes up only when it held batches back in the window: when the workers cannot offer
	// it anyway, no refusal would ever say it is too fast.
	switch {
	case p.steerRefused == p.steerAnswers:
		// Nothing got through: an outage or a hold-off, which says nothing of the pace (a pace
		// too fast still has about one batch in 1 + its excess over R admitted).
	case p.steerRefused >= paceSteerCut && !p.steerSlow:
		// The first refusals: the last step went past the best pace; go back half of it.
		p.steer, p.steerSlow = max(paceMinRate, p.steer/math.Sqrt(paceSteerFast)), true
	case p.steerRefused >= paceSteerCut:
		p.steer = max(paceMinRate, p.steer*paceSteerDown)
	case !p.steerHeld:
	case !p.steerSlow && p.steerRefused <= 1:
		p.steer = min(p.steer*paceSteerFast, max(p.steer, p.steerCap()))
	case p.steerRefused == 0:
		p.steer = min(p.steer*paceSteerUp, max(p.steer, p.steerCap()))
	}
	p.steerSince, p.steerAnswers, p.steerRefused, p.steerHeld = o.now, 0, 0, false
}

// steerCap is the most a steered pace goes up to: a quarter more than the batches of one that may
// be in flight can offer over a round trip.
func (p *pacer) steerCap() float64 {
	if p.rtt <= 0 {
		return math.MaxFloat64
	}
	return paceBound * float64(paceMaxWorkers*p.workers) / p.rtt.Seconds()
}

// shortfall is how much more round trips vary than the reserve beside a batch lets one arrive
// early, in seconds; above zero, pace spaces batches by it.
func (p *pacer) shortfall() float64 {
	r := max(p.rate, paceMinRate)
	return p.spread().Seconds() - (p.capacity()-float64(p.batchSize()))/2/r
}

// spread is how much round trips vary: four times their mean deviation, as TCP reckons [RFC 6298].
func (p *pacer) spread() time.Duration { return 4 * p.rttvar }

// capacity is the mirror's size: B̂, at least one batch.
func (p *pacer) capacity() float64 { return float64(max(p.burst, p.batchSize())) }

// mirror is the mirror's tokens at now.
func (p *pacer) mirror(now time.Time) float64 {
	return min(p.capacity(), p.tokens+p.pace()*max(0, now.Sub(p.tokensAt).Seconds()))
}

// gate is the earliest time a batch of n may go: after any hold-off and, when paced, once the
// mirror holds the batch and half of what B̂ leaves beside it.
func (p *pacer) gate(now time.Time, n int) time.Time {
	g := p.notBefore
	r := p.pace()
	if r <= 0 {
		return g
	}
	need := float64(n) + (p.capacity()-float64(n))/2
	if have := p.mirror(now); have < need {
		g = later(g, now.Add(time.Duration((need-have)/r*float64(time.Second))))
		p.binding, p.steerHeld = true, true
	}
	return g
}

// held reports whether the gate at now is a hold-off (for the progress bar), not pacing.
func (p *pacer) held(now time.Time) bool { return p.notBefore.After(now) }

// book records a batch of n sub-requests going at now.
func (p *pacer) book(now time.Time, n int) {
	if p.pace() > 0 {
		p.tokens, p.tokensAt = p.mirror(now)-float64(n), now
	}
	p.outstanding += n
}

// unanswered takes back n sub-requests booked whose batch brought no answer.
func (p *pacer) unanswered(n int) { p.outstanding = max(0, p.outstanding-n) }

// outcome is one answered batch as the pacer reads it.
type outcome struct {
	now, sentAt         time.Time
	sent                int           // sub-requests booked for the batch
	admitted, throttled int           // answers that were not, and were, 429 or 503
	fresh               int           // throttled answers to items not throttled before
	exact               time.Duration // the shortest exact (fractional) Retry-After
	hasExact            bool          // some throttled answer had one
	whole               time.Duration // the longest whole-second Retry-After; 0 = none
}

// readRetryAfter reads a throttled answer's Retry-After: its wait, whether it had one, and whether it
// is exact (fractional seconds) rather than whole seconds or a date, which only bound the wait from
// above.
func readRetryAfter(v string, now time.Time) (wait time.Duration, ok, exact bool) {
	wait, ok = httpretry.ParseRetryAfter(v, now)
	return wait, ok, ok && strings.Contains(v, ".")
}

// observe takes a batch's answers.
func (p *pacer) observe(o outcome) {
	p.outstanding = max(0, p.outstanding-o.sent)
	if rtt := o.now.Sub(o.sentAt); p.rtt == 0 {
		p.rtt = rtt
	} else {
		p.rttvar = (3*p.rttvar + (p.rtt - rtt).Abs()) / 4
		p.rtt = (7*p.rtt + rtt) / 8
	}
	n := o.admitted + o.throttled
	for i := range n {
		a := paceAdmitted
		switch {
		case i >= o.admitted+o.fresh:
			a = paceRefusedAgain
		case i >= o.admitted:
			a = paceRefused
		}
		p.recent[p.recentNext] = a
		p.recentNext = (p.recentNext + 1) % paceRecent
		p.recentN = min(p.recentN+1, paceRecent)
	}
	p.admitted += o.admitted
	p.burst = max(p.burst, o.admitted)
	mostly := o.throttled > 0 && 2*o.throttled > n
	if !p.spell {
		refused, items := p.refusedLately()
		if o.throttled == 0 || items < 2 || !mostly && 4*refused < p.recentN {
			return // isolated: the item waits for its own Retry-After
		}
		p.answers = append(p.answers[:0], paceEvent{o.now, p.admitted - o.admitted})
		p.spell, p.onset, p.events, p.measured, p.rate, p.size, p.probe = true, o.now, p.events[:0], p.measured[:0], 0, p.limit, paceProbe
		p.lastRaise, p.probeAt, p.binding, p.raised, p.raiseBy = o.now, time.Time{}, false, false, paceRaise
		p.steer = 0
	}
	p.steerBy(o)
	p.answers = append(p.answers, paceEvent{o.now, p.admitted})
	cut := 0
	for cut < len(p.answers)-1 && o.now.Sub(p.answers[cut+1].at) >= paceRecentSpan {
		cut++
	}
	p.answers = p.answers[cut:]
	if o.throttled == 0 {
		if o.now.Sub(p.lastRefusal) > paceEnd {
			p.spell, p.events, p.measured, p.rate, p.steer = false, p.events[:0], p.measured[:0], 0, 0 // the spell is over
			return
		}
		p.size = min(p.limit, p.size+1)
		if p.binding && p.rate > 0 && !p.steering() {
			// Clean while the mirror held batches back: perhaps the client offers less than the
			// provider admits. Offer more: quickly while the rate has not been measured over a
			// long enough stretch (it may come from a bucket that filled up unseen), gently after.
			raise, after := p.raiseBy, 2*p.rtt
			if len(p.measured) > 0 {
				raise, after = min(raise, paceNudge), max(after, paceNudgeAfter)
			}
			if o.now.Sub(p.lastRefusal) >= after && o.now.Sub(p.lastRaise) >= after {
				// What the mirror held batches to, all admitted, is a rate the provider gives.
				p.floor, p.floorAt = min(p.rate, p.pace()), o.now
				p.rate *= raise
				p.lastRaise, p.binding, p.raised = o.now, false, true
			}
		}
		return
	}
	p.lastRefusal = o.now
	if p.raised {
		// Refused after the rate went up: R lies between the rate before and after; go up by
		// less next time.
		p.raised, p.raiseBy = false, max(paceMinRaise, math.Sqrt(p.raiseBy))
	}
	if o.admitted > 0 {
		p.size = max(1, min(p.size, o.admitted)) // the burst was too small for this batch
	}
	// The bucket is empty. A batch sent now reaches it a round trip after this one did, when it has
	// had a round trip's worth of tokens, less what is in flight. But while the mirror spaces
	// batches (a burst too small for the round trips' variation), that is no more than the mirror
	// holds: the batches in flight were spaced to arrive one after another, and one sent at once
	// would arrive right behind the last of them, be refused, and reset the mirror again, a refusal
	// each round trip. A refusal says the bucket holds less than thought, never more.
	tokens := min(p.capacity(), p.rate*p.rtt.Seconds()-float64(p.outstanding))
	if p.rate > 0 && p.shortfall() > 0 {
		tokens = min(tokens, p.mirror(o.now))
	}
	if p.steering() {
		tokens = p.mirror(o.now) // the steered pace, not a refusal, spaces the batches
	}
	p.tokens, p.tokensAt = tokens, o.now
	if !o.sentAt.Before(p.onset) {
		p.measure(o.now)
	}
	if !mostly {
		return
	}
	// Most of the batch was refused: nothing can pass for a while; how long, Retry-After says.
	var hold time.Duration
	switch {
	case o.hasExact:
		hold = o.exact
	case o.whole >= 2*time.Second:
		hold = o.whole
	case p.admittedLately():
		return // "1" (or no Retry-After) only bounds the wait: the mirror, or the next batches, tell
	default:
		// Nothing has got through lately (a window that refuses everything until it ends): hold
		// off, longer each time a batch sent after the last hold-off is refused too, up to the
		// Retry-After.
		if !p.probeAt.IsZero() && !o.sentAt.Before(p.probeAt) {
			p.probe = min(2*p.probe, max(o.whole, time.Second))
		}
		hold, p.probeAt = p.probe, o.now
		if o.whole > 0 {
			hold = min(hold, o.whole)
		}
	}
	p.notBefore = later(p.notBefore, o.now.Add(hold))
}

// measure takes a moment at which the bucket was empty (now; a batch sent in the spell, so the
// client was offering more than was admitted) and sets R̂ from it.
//
// Between two such moments the bucket admitted all its rate gave, give or take the fraction of a
// token it held at each, unless it filled up in between while the client held off: an estimate can
// come out low, never more than a token high. So R̂ is the highest rate measured over a stretch of
// at least paceSpan within paceWindow; until one has been, what the stretches so far give, counting
// one token more; and never less than a rate the mirror held batches to without a refusal (floor).
func (p *pacer) measure(now time.Time) {
	p.events = append(p.events, paceEvent{now, p.admitted})
	cut := 0
	for cut < len(p.events)-1 && now.Sub(p.events[cut+1].at) >= paceWindow {
		cut++
	}
	p.events = p.events[cut:]
	cut = 0
	for cut < len(p.measured) && now.Sub(p.measured[cut].at) > paceWindow {
		cut++
	}
	p.measured = p.measured[cut:]
	// The latest moment at least paceSpan before now, reached through refusals no more than two
	// round trips apart: the client kept offering more than was admitted all along.
	i := -1
	for j := len(p.events) - 2; j >= 0; j-- {
		if p.events[j+1].at.Sub(p.events[j].at) > 2*p.rtt {
			break
		}
		if now.Sub(p.events[j].at) >= paceSpan {
			i = j
			break
		}
	}
	if i >= 0 {
		e := p.events[i]
		p.measured = append(p.measured, paceRate{now, float64(p.admitted-e.admitted) / now.Sub(e.at).Seconds()})
	}
	floor := p.admittedRate(now)
	if now.Sub(p.floorAt) <= paceWindow {
		floor = max(floor, p.floor)
	}
	if len(p.measured) > 0 {
		r := floor
		for _, m := range p.measured {
			r = max(r, m.rate)
		}
		p.rate = max(r, paceMinRate)
		return
	}
	if first := p.events[0]; now.Sub(first.at) >= paceMinSpan {
		p.rate = max(float64(p.admitted-first.admitted+1)/now.Sub(first.at).Seconds(), floor, paceMinRate)
	}
}

// admittedRate is what the provider admitted per second over the last paceRecentSpan (at least
// two round trips), less a burst: R is at least that.
func (p *pacer) admittedRate(now time.Time) float64 {
	if len(p.answers) == 0 {
		return 0
	}
	first := p.answers[0]
	span := now.Sub(first.at)
	if span < 2*p.rtt || span < paceMinSpan {
		return 0
	}
	return max(0, float64(p.admitted-first.admitted-p.burst)) / span.Seconds()
}

// admittedLately reports whether any of the recent answers was admitted.
func (p *pacer) admittedLately() bool {
	for i := range p.recentN {
		if p.recent[i] == paceAdmitted {
			return true
		}
	}
	return false
}

// refusedLately is how many of the recent answers were refused, and how many of those were an
// item's first refusal.
func (p *pacer) refusedLately() (refused, first int) {
	for i := range p.recentN {
		switch p.recent[i] {
		case paceRefused:
			first++
			refused++
		case paceRefusedAgain:
			refused++
		}
	}
	return refused, first
}

// itemWait is how long a throttled item waits before it may go again, given its Retry-After (ok
// false without one; exact for fractional seconds), and whether the pacer decides when it goes
// (paced: its budget counts the time it really waited) rather than its own Retry-After.
//
// In a spell an item refused again waits at least paceItemBackoff, doubling with each refusal (up
// to a second, or its Retry-After): a bucket refuses an item once or twice, and one it keeps
// refusing is not to be sent as often as the pacer allows.
func (p *pacer) itemWait(retry int, wait time.Duration, ok, exact bool) (time.Duration, bool) {
	if !p.spell {
		if !ok {
			return httpretry.ThrottleBackoff(retry), false
		}
		return wait, false
	}
	least := time.Duration(0)
	if retry > 1 {
		least = min(paceItemBackoff<<min(retry-2, 16), time.Second)
	}
	switch {
	case ok && (exact || wait >= 2*time.Second):
		// Sent after wait less a round trip, it reaches the provider when Retry-After said.
		return max(wait-p.rtt, least), true
	case ok:
		return min(least, wait), true
	}
	return least, true
}
