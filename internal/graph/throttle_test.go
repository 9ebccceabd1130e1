package graph

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
)

// TestThrottleWithoutRetryAfterIsWaitedOut: eight 429s without Retry-After (a throttle window of
// about a minute) are waited out with exponential backoff, and each wait is reported to OnWait
// with its reason; five quick attempts would have given up.
func TestThrottleWithoutRetryAfterIsWaitedOut(t *testing.T) {
	s := newServer(t, reply(429, `{"error":{"code":"TooManyRequests","message":"slow down"}}`), reply(429, ""), reply(429, ""),
		reply(429, ""), reply(503, ""), reply(429, ""), reply(429, ""), reply(429, ""), reply(200, `{}`))
	var mu sync.Mutex
	var told []Wait
	c, sl := s.client(t, func(o *Options) {
		o.OnWait = func(_ context.Context, w Wait) { mu.Lock(); told = append(told, w); mu.Unlock() }
	})
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	got := sl.Got()
	if len(got) != 8 {
		t.Fatalf("waits = %v, want 8", got)
	}
	var total time.Duration
	for i, w := range got {
		ceil := min(time.Second<<i, time.Minute)
		if w < ceil/2 || w > ceil {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, ceil/2, ceil)
		}
		total += w
	}
	if total < 60*time.Second {
		t.Errorf("waited %v in all, want the minute a throttle window lasts", total)
	}
	if len(told) != 8 || told[0].Reason != "throttled by Graph (HTTP 429)" || told[4].Reason != "throttled by Graph (HTTP 503)" || told[0].Delay != got[0] {
		t.Errorf("OnWait heard %+v", told)
	}
}

// TestThrottleBudgetBoundsTheWaits: a Graph that throttles forever gets retries until the budget
// is spent, then Graph's error with how to raise the budget; "Retry-After: 0" counts a second a
// retry, and a negative budget means no retry at all.
func TestThrottleBudgetBoundsTheWaits(t *testing.T) {
	s := newServer(t, reply(429, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, "request-id", "r9"))
	c, sl := s.client(t, nil)
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var te *ThrottledError
	var gerr *Error
	if !errors.As(err, &te) || !errors.As(err, &gerr) || gerr.StatusCode != 429 {
		t.Fatalf("err = %v, want a ThrottledError wrapping Graph's 429", err)
	}
	if !strings.HasPrefix(err.Error(), "TooManyRequests: slow down (HTTP 429, request-id r9); still throttled after ") ||
		!strings.HasSuffix(err.Error(), "spent the 5m0s retry budget (raise it with --retry-budget)") {
		t.Errorf("Error() = %q", err)
	}
	var total time.Duration
	for _, w := range sl.Got() {
		total += w
	}
	if total > httpretry.DefaultRetryBudget || total < httpretry.DefaultRetryBudget-2*time.Minute {
		t.Errorf("waited %v in all (%d waits), want close to the budget", total, len(sl.Got()))
	}
	if n := len(s.requests()); n != len(sl.Got())+1 || n <= defaultMaxAttempts {
		t.Errorf("%d requests for %d waits", n, len(sl.Got()))
	}

	zero := newServer(t, reply(429, "", "Retry-After", "0"))
	cz, _ := zero.client(t, func(o *Options) { o.RetryBudget = 10 * time.Second })
	if _, err := cz.Do(context.Background(), &Request{Path: "/me"}); !errors.As(err, &te) {
		t.Fatalf("err = %v", err)
	}
	if n := len(zero.requests()); n != 11 {
		t.Errorf("Retry-After 0 with a 10s budget: %d requests, want 11", n)
	}

	none := newServer(t, reply(429, "", "Retry-After", "1"))
	cn, sn := none.client(t, func(o *Options) { o.RetryBudget = -1 })
	_, err = cn.Do(context.Background(), &Request{Path: "/me"})
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "not retried, as the retry budget is 0") {
		t.Fatalf("err = %v", err)
	}
	if len(none.requests()) != 1 || len(sn.Got()) != 0 {
		t.Errorf("budget 0: %d requests, waits %v", len(none.requests()), sn.Got())
	}
}
