package emulator

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// fakeClock is a settable clock for the throttle.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func throttledEnv(t *testing.T, rps float64, burst int) (*testEnv, *fakeClock) {
	e := newEnv(t, Options{Throttle: &Throttle{RatePerSecond: rps, Burst: burst}})
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.srv.now = clk.now
	return e, clk
}

func TestThrottleBucket(t *testing.T) {
	e, clk := throttledEnv(t, 50, 5)
	for i := range 5 {
		if r := e.get("/me/drive"); r.status != 200 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	r := e.get("/me/drive")
	if r.status != 429 || r.errCode(t) != "activityLimitReached" || r.header.Get("Retry-After") != "0.020" {
		t.Fatalf("6th: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// A throttled request takes no token: after 12 ms the wait is the 8 ms left.
	clk.advance(12 * time.Millisecond)
	if r := e.get("/me/drive"); r.status != 429 || r.header.Get("Retry-After") != "0.008" {
		t.Errorf("after 12ms: %d %q", r.status, r.header.Get("Retry-After"))
	}
	clk.advance(8 * time.Millisecond)
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("after the wait: %d", r.status)
	}
	// Another client has its own bucket; so has a request without a token (by remote IP).
	if r := e.get("/me/drive", "Authorization", "Bearer other"); r.status != 200 {
		t.Errorf("other client: %d", r.status)
	}
	if r := e.get("/me/drive", "Authorization", ""); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
	// A full refill is capped at the burst.
	clk.advance(time.Hour)
	ok := 0
	for range 8 {
		if e.get("/me/drive").status == 200 {
			ok++
		}
	}
	if ok != 5 {
		t.Errorf("after an hour %d succeeded, want the burst of 5", ok)
	}
	if st := e.srv.Stats(); st.Throttled != 5 { // 6th, the 12 ms retry, 3 of the last 8
		t.Errorf("throttled %d", st.Throttled)
	}
}

func TestThrottleRealClock(t *testing.T) {
	// 5 a second: the second request comes well within the 200 ms a token takes, even on a
	// loaded machine, so this never needs to skip.
	e := newEnv(t, Options{Throttle: &Throttle{RatePerSecond: 5, Burst: 1}})
	e.get("/me/drive")
	r := e.get("/me/drive")
	if r.status != 429 {
		t.Fatalf("second request not throttled: %d", r.status)
	}
	wait, err := strconv.ParseFloat(r.header.Get("Retry-After"), 64)
	if err != nil || wait <= 0 || wait > 0.200 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	time.Sleep(time.Duration(wait * float64(time.Second)))
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("after Retry-After: %d", r.status)
	}
}

func TestThrottleBatch(t *testing.T) {
	e, clk := throttledEnv(t, 50, 5)
	// The envelope is free; each sub-request takes a token; the throttled ones take none and
	// carry their own Retry-After.
	r, a := e.batch(createLinkBatch(8, nil))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	ok, throttled := 0, 0
	for _, res := range a.Responses {
		switch res.Status {
		case 201:
			ok++
		case 429:
			throttled++
			if res.Headers["Retry-After"] != "0.020" {
				t.Errorf("sub-request %s Retry-After %q", res.ID, res.Headers["Retry-After"])
			}
		default:
			t.Errorf("sub-request %s: %d", res.ID, res.Status)
		}
	}
	if ok != 5 || throttled != 3 {
		t.Errorf("%d created, %d throttled", ok, throttled)
	}
	st := e.srv.Stats()
	if st.Throttled != 3 || st.CreateLink.Created != 5 || st.Requests != 9 || st.Batches != 1 {
		t.Errorf("stats %+v", st)
	}
	// With no token left the envelope itself still answers 200.
	if r, a := e.batch(createLinkBatch(1, nil)); r.status != 200 || a.Responses[0].Status != 429 {
		t.Errorf("empty bucket: %d %s", r.status, r.body)
	}
	clk.advance(time.Second)
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("refilled: %d", r.status)
	}
}

func TestRetryAfterFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Millisecond:    "0.020",
		19999 * time.Microsecond: "0.020",
		105 * time.Millisecond:   "0.105",
		2128 * time.Millisecond:  "2.128",
		1:                        "0.001",
	} {
		if got := retryAfter(d); got != want {
			t.Errorf("retryAfter(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestThrottleOptions(t *testing.T) {
	for _, th := range []*Throttle{{RatePerSecond: 0}, {RatePerSecond: -1}, {RatePerSecond: 1, Burst: -1}} {
		if _, err := New(Options{Throttle: th}); err == nil {
			t.Errorf("%+v accepted", *th)
		}
	}
	if DefaultBurst(0.5) != 1 || DefaultBurst(100) != 20 {
		t.Error("DefaultBurst")
	}
}

func TestStatsEndpoint(t *testing.T) {
	e := newEnv(t, Options{})
	e.post("/me/drive/root:/Notes.txt:/createLink", `{"type":"view"}`)
	e.post("/me/drive/root:/Notes.txt:/createLink", `{"type":"view"}`)
	e.post("/me/drive/root:/Notes.txt:/createLink", `{"type":"edit"}`)
	admin := e.ts.URL + "/_emulator/stats"
	m := e.get(admin).json(t)
	cl := m["createLink"].(map[string]any)
	if m["requests"] != 3.0 || m["throttled"] != 0.0 || m["batches"] != 0.0 || cl["created"] != 2.0 || cl["existing"] != 1.0 {
		t.Errorf("stats %v", m)
	}
	if r := e.do("DELETE", admin, ""); r.status != 204 {
		t.Errorf("reset: %d", r.status)
	}
	if m := e.get(admin).json(t); m["requests"] != 0.0 || m["createLink"].(map[string]any)["created"] != 0.0 {
		t.Errorf("after reset %v", m)
	}
	if r := e.post(admin, "{}"); r.status != 405 {
		t.Errorf("POST stats: %d", r.status)
	}
}

// TestThrottleWholeSeconds: with WholeSeconds the wait is rounded up to whole seconds, as Graph
// sends it, and a client that waits that long finds a token; the exact fractional form is the
// default (TestThrottleBucket).
func TestThrottleWholeSeconds(t *testing.T) {
	e := newEnv(t, Options{Throttle: &Throttle{RatePerSecond: 50, Burst: 2, WholeSeconds: true}})
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.srv.now = clk.now
	e.get("/me/drive")
	e.get("/me/drive")
	r := e.get("/me/drive")
	if r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("3rd: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// In a batch too.
	_, a := e.batch(createLinkBatch(1, nil))
	if a.Responses[0].Status != 429 || a.Responses[0].Headers["Retry-After"] != "1" {
		t.Errorf("batch: %+v", a.Responses[0])
	}
	clk.advance(time.Second)
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("after Retry-After: %d", r.status)
	}
	// A slow rate needs several seconds: 0.4 requests a second is 2.5 s, sent as 3.
	e = newEnv(t, Options{Throttle: &Throttle{RatePerSecond: 0.4, Burst: 1, WholeSeconds: true}})
	e.srv.now = clk.now
	e.get("/me/drive")
	if r := e.get("/me/drive"); r.header.Get("Retry-After") != "3" {
		t.Errorf("0.4 rps: Retry-After %q", r.header.Get("Retry-After"))
	}
	for d, want := range map[time.Duration]string{1: "1", time.Second: "1", time.Second + 1: "2", 2500 * time.Millisecond: "3"} {
		if got := kit.RetryAfterSeconds(d); got != want {
			t.Errorf("retryAfterSeconds(%v) = %q, want %q", d, got, want)
		}
	}
}
