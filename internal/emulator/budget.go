package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Budget is SharePoint's resource-unit (RU) model of throttling, which bounds large scans of
// OneDrive and SharePoint through Graph [SharePoint "Avoid getting throttled", notes §1.2]:
// each client has Units per Window (1,200 a minute for a tenant of up to 1,000 licences), every
// request costs units by kind, requests inside a $batch each count, and a request that would go
// over the budget answers 429 with Retry-After until the window ends. Once a client has used 80%
// of its budget, answers carry the IETF draft RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset headers (whole seconds; on a 429, Retry-After equals RateLimit-Reset).
// SharePoint sends them to app-only callers only; HeadersForDelegated sends them to delegated
// callers too, so pacing can be tested without client credentials.
//
// Costs (see unitCost): 1 for a single-item get, a delta page with a token and a download; 2 for
// a multi-item query (children, delta without a token), create, update and delete; 5 for any
// permission operation (list, get, change, createLink, invite, grant, revokeGrants,
// $expand=permissions).
type Budget struct {
	Units               int           `json:"units"`                         // > 0
	Window              time.Duration `json:"window,omitempty"`              // 0 = one minute
	HeadersForDelegated bool          `json:"headersForDelegated,omitempty"` // RateLimit-* for delegated callers too
}

func (b *Budget) validate() error {
	if b == nil {
		return nil
	}
	if b.Units <= 0 {
		return fmt.Errorf("emulator: budget of %d resource units: must be positive", b.Units)
	}
	if b.Window < 0 {
		return fmt.Errorf("emulator: budget window %v: must not be negative", b.Window)
	}
	return nil
}

// budgets holds each client's usage in its current window.
type budgets struct {
	cfg    Budget
	window time.Duration
	mu     sync.Mutex
	used   map[string]*usage
}

type usage struct {
	start time.Time
	units int
}

func newBudgets(b *Budget) *budgets {
	if b == nil {
		return nil
	}
	w := b.Window
	if w == 0 {
		w = time.Minute
	}
	return &budgets{cfg: *b, window: w, used: map[string]*usage{}}
}

// charge adds cost to key's window at now. It reports whether the request may run, the units
// used in the window (the throttled request's included: throttled requests still count) and the
// time until the window resets.
func (b *budgets) charge(key string, cost int, now time.Time) (ok bool, used int, reset time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.used[key]
	if u == nil || !now.Before(u.start.Add(b.window)) {
		u = &usage{start: now}
		b.used[key] = u
	}
	ok = u.units+cost <= b.cfg.Units
	u.units += cost
	return ok, u.units, u.start.Add(b.window).Sub(now)
}

// permissionSegments are the path segments that make a request a permission operation.
var permissionSegments = map[string]bool{"permissions": true, "permission": true, "createlink": true,
	"invite": true, "grant": true, "revokegrants": true}

// unitCost is what a request costs in resource units [SharePoint throttling page, notes §1.2].
func unitCost(r *http.Request, segs []seg, q map[string][]string) int {
	for _, v := range queryValues(q, "$expand") {
		if strings.Contains(lower(v), "permissions") {
			return 5
		}
	}
	children := false
	for _, sg := range segs {
		n := strings.TrimPrefix(lower(sg.name), "microsoft.graph.")
		if permissionSegments[n] {
			return 5
		}
		if tok, ok := isDeltaSegment(sg); ok {
			if tok != "" || len(queryValues(q, "token")) > 0 {
				return 1
			}
			return 2
		}
		switch n {
		case "content":
			return 1
		case "children":
			children = true
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return 2
	}
	if children {
		return 2
	}
	return 1
}

// chargeBudget accounts c's request against its client's budget. It sets the RateLimit-*
// headers from 80% of the budget on (app-only callers, or anyone with HeadersForDelegated)
// and returns the 429 when the request would go over.
func (s *Server) chargeBudget(c *reqCtx, segs []seg) *apiError {
	cost := unitCost(c.r, segs, c.query)
	s.countStat(func(st *Stats) { st.ResourceUnits += int64(cost) })
	if s.budgets == nil {
		return nil
	}
	ok, used, reset := s.budgets.charge(kit.ClientKey(c.r), cost, s.now())
	limit := s.budgets.cfg.Units
	resetSecs := kit.RetryAfterSeconds(reset)
	if (c.appOnly || s.budgets.cfg.HeadersForDelegated) && used*5 >= limit*4 {
		// Spelt as the draft and SharePoint spell them (a batch's headers object keeps the case).
		h := c.w.Header()
		h["RateLimit-Limit"] = []string{strconv.Itoa(limit)}
		h["RateLimit-Remaining"] = []string{strconv.Itoa(max(0, limit-used))}
		h["RateLimit-Reset"] = []string{resetSecs}
	}
	if ok {
		return nil
	}
	s.countStat(func(st *Stats) { st.Throttled++ })
	c.w.Header().Set("Retry-After", resetSecs)
	return errf(http.StatusTooManyRequests, codeActivityLimit,
		"The request has been throttled: the application's resource units for this window are used up. Retry after the time given in the Retry-After header.")
}
