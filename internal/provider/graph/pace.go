package graph

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/odshare/odshare/internal/httpretry"
)

// Resource units SharePoint charges a request through Graph [notes §1.2]: 1 a single get and a
// delta page with a token, 2 a listing (delta without a token), 5 any permission operation.
const (
	unitsGet        = 1
	unitsList       = 2
	unitsPermission = 5
)

// auditPacer holds an audit's requests back where Graph's own throttling (429s with Retry-After,
// which the bulk engine's pacer waits out with every worker) would otherwise refuse them:
//
//   - a client-side budget (AuditOptions.Budget, --budget): at most that many resource units a
//     minute, give or take one batch, through a token bucket (x/time/rate) whose burst is one
//     batch; zero means none.
//   - SharePoint's RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset headers (IETF draft
//     03), sent once a client has used 80% of its window's units [notes §1.2]: a batch that would
//     cost more than the units left, counting those of the batches already in flight, waits for
//     the reset instead of being refused. Without the headers nothing waits.
//
// So a run Graph does not throttle is never slowed, unless the user asked for a budget.
type auditPacer struct {
	lim    *rate.Limiter // nil without a client budget
	sleep  func(ctx context.Context, d time.Duration) error
	onWait func(why string, d time.Duration)
	now    func() time.Time

	mu        sync.Mutex
	known     bool // the headers said how many units are left, until resetAt
	remaining int
	resetAt   time.Time
	inFlight  int // units of the batches admitted and not answered yet
}

// newAuditPacer paces to budget units a minute (0: no client budget); burst is the most units one
// request or batch costs.
func newAuditPacer(budget, burst int, sleep func(context.Context, time.Duration) error, onWait func(string, time.Duration)) *auditPacer {
	p := &auditPacer{sleep: sleep, onWait: onWait, now: time.Now}
	if p.sleep == nil {
		p.sleep = httpretry.Sleep
	}
	if budget > 0 {
		p.lim = rate.NewLimiter(rate.Limit(float64(budget)/60), max(1, min(burst, budget)))
	}
	return p
}

// wait holds a request of cost units until the budget and the headers let it go, then counts it
// in flight; settle must follow once it is answered (or was never sent).
func (p *auditPacer) wait(ctx context.Context, cost int) error {
	if p.lim != nil {
		r := p.lim.ReserveN(p.now(), min(cost, p.lim.Burst()))
		if d := r.DelayFrom(p.now()); d > 0 {
			p.notify("keeping to the --budget", d)
			if err := p.sleep(ctx, d); err != nil {
				r.Cancel()
				return err
			}
		}
	}
	for {
		p.mu.Lock()
		now := p.now()
		if p.known && !now.Before(p.resetAt) {
			p.known = false // a new window: its units are unknown until the headers come back
		}
		if !p.known || p.remaining-p.inFlight >= cost {
			p.inFlight += cost
			p.mu.Unlock()
			return nil
		}
		d := p.resetAt.Sub(now)
		p.mu.Unlock()
		p.notify("Graph's resource units for this window are nearly spent (RateLimit-Remaining)", d)
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
		p.mu.Lock()
		if !p.now().Before(p.resetAt) {
			p.known = false
		}
		p.mu.Unlock()
	}
}

// settle takes a request of cost units out of flight and learns from the answers' headers.
func (p *auditPacer) settle(cost int, headers ...func(string) string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight = max(0, p.inFlight-cost)
	for _, h := range headers {
		rem, err1 := strconv.Atoi(strings.TrimSpace(h("RateLimit-Remaining")))
		reset, err2 := strconv.ParseFloat(strings.TrimSpace(h("RateLimit-Reset")), 64)
		if err1 != nil || err2 != nil || rem < 0 || reset < 0 || reset > 3600 {
			continue
		}
		at := p.now().Add(time.Duration(reset * float64(time.Second)))
		if !p.known || at.After(p.resetAt.Add(time.Second)) {
			// The first word on this window, or a later window: take it as it is.
			p.known, p.remaining, p.resetAt = true, rem, at
			continue
		}
		p.remaining = min(p.remaining, rem) // answers come back out of order: the fewest is the newest
	}
}

func (p *auditPacer) notify(why string, d time.Duration) {
	if p.onWait != nil && d > 0 {
		p.onWait(why, d)
	}
}

// headerOf reads a header map (a batch sub-response's, whose keys keep Graph's case) as http.Header
// would, ignoring case.
func headerOf(m map[string]string) func(string) string {
	return func(key string) string {
		if v, ok := m[key]; ok {
			return v
		}
		for k, v := range m {
			if strings.EqualFold(k, key) {
				return v
			}
		}
		return ""
	}
}
