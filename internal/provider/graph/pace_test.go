package graph

import (
	"context"
	"testing"
	"time"
)

// fakeTime is a clock that moves only when the pacer sleeps.
type fakeTime struct {
	now   time.Time
	slept []time.Duration
}

func (f *fakeTime) pacer(budget, burst int) *auditPacer {
	p := newAuditPacer(budget, burst, func(ctx context.Context, d time.Duration) error {
		f.slept = append(f.slept, d)
		f.now = f.now.Add(d)
		return ctx.Err()
	}, nil)
	p.now = func() time.Time { return f.now }
	return p
}

func (f *fakeTime) total() time.Duration {
	var t time.Duration
	for _, d := range f.slept {
		t += d
	}
	return t
}

// TestPacerNeverSlowsUnthrottled: without a budget and without RateLimit-* headers nothing waits,
// however much is sent.
func TestPacerNeverSlowsUnthrottled(t *testing.T) {
	ft := &fakeTime{now: time.Unix(1e9, 0)}
	p := ft.pacer(0, 100)
	for range 1000 {
		if err := p.wait(context.Background(), 100); err != nil {
			t.Fatal(err)
		}
		p.settle(100, headerOf(map[string]string{"request-id": "x"}))
	}
	if len(ft.slept) != 0 {
		t.Errorf("slept %v", ft.slept)
	}
}

// TestPacerBudget: --budget 60 (a minute) with batches of 20 units: the first batch goes at once
// (the burst), each later one 20 s after the one before, so a minute holds no more than the
// budget and one batch.
func TestPacerBudget(t *testing.T) {
	ft := &fakeTime{now: time.Unix(1e9, 0)}
	if batchSize(60) != 12 || batchUnits(60) != 60 {
		t.Fatalf("batch of %d, %d units", batchSize(60), batchUnits(60))
	}
	p := ft.pacer(60, 20)
	for range 4 {
		if err := p.wait(context.Background(), 20); err != nil {
			t.Fatal(err)
		}
		p.settle(20)
	}
	if got, want := ft.total(), 60*time.Second; got < want-time.Second || got > want+time.Second {
		t.Errorf("4 batches of 20 units at 60 a minute took %v (%v), want about %v", got, ft.slept, want)
	}
	if batchSize(3) != 1 || batchSize(0) != 20 || batchSize(1000) != 20 {
		t.Errorf("batch sizes %d %d %d", batchSize(3), batchSize(0), batchSize(1000))
	}
}

// TestPacerRateLimitHeaders: once the headers say 47 units are left for 3 s, a batch of 30 goes,
// another of 30 (with the first still in flight) waits for the reset, and after the reset the
// next goes at once; a cancelled wait returns the context's error.
func TestPacerRateLimitHeaders(t *testing.T) {
	ft := &fakeTime{now: time.Unix(1e9, 0)}
	p := ft.pacer(0, 100)
	h := headerOf(map[string]string{"RateLimit-Limit": "250", "ratelimit-remaining": "47", "RateLimit-Reset": "3"})
	p.settle(0, h)
	if err := p.wait(context.Background(), 30); err != nil || len(ft.slept) != 0 {
		t.Fatalf("a batch that fits waited %v (%v)", ft.slept, err)
	}
	if err := p.wait(context.Background(), 30); err != nil {
		t.Fatal(err)
	}
	if len(ft.slept) != 1 || ft.slept[0] != 3*time.Second {
		t.Fatalf("a batch over what is left slept %v, want until the reset (3s)", ft.slept)
	}
	p.settle(30)
	p.settle(30)
	if err := p.wait(context.Background(), 100); err != nil || len(ft.slept) != 1 {
		t.Fatalf("after the reset a batch waited %v (%v)", ft.slept, err)
	}
	p.settle(100, h) // a newer window says 47 again
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.wait(ctx, 100); err != context.Canceled {
		t.Errorf("cancelled wait: %v", err)
	}
	// Nonsense headers are ignored.
	q := ft.pacer(0, 100)
	q.settle(0, headerOf(map[string]string{"RateLimit-Remaining": "-4", "RateLimit-Reset": "3"}),
		headerOf(map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": "99999"}))
	if q.known {
		t.Error("nonsense RateLimit headers were taken")
	}
}
