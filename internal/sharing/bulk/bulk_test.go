package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/sharing"
)

// oneByOne is a provider without batching (as Box is): one request per Send, with answers scripted
// per item and attempt. It checks that no Send carries more than one step and counts the sends in
// flight.
type oneByOne struct {
	t        *testing.T
	answer   func(index, attempt int) (Answer, error)
	mu       sync.Mutex
	attempts map[int]int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	slept    time.Duration
}

type oneStep struct{ index int }

func (oneStep) Unsafe() bool { return true }

func (s *oneByOne) Service() string { return "Box" }
func (s *oneByOne) MaxBatch() int   { return 1 }
func (s *oneByOne) Retry() Retry {
	return Retry{MaxWait: time.Minute, Budget: time.Minute, Sleep: func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.slept += d
		s.mu.Unlock()
		return ctx.Err()
	}}
}
func (s *oneByOne) Prepare(context.Context) ([]Step, error) {
	steps := make([]Step, 12)
	for i := range steps {
		steps[i] = oneStep{i}
	}
	return steps, nil
}
func (s *oneByOne) Send(ctx context.Context, steps []Step) ([]Answer, error) {
	if len(steps) != 1 {
		s.t.Errorf("a Send of %d steps to a provider without batching", len(steps))
	}
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxSeen.Load(); n > m && !s.maxSeen.CompareAndSwap(m, n); m = s.maxSeen.Load() {
	}
	time.Sleep(time.Millisecond) // let the other workers overlap
	i := steps[0].(oneStep).index
	s.mu.Lock()
	s.attempts[i]++
	a := s.attempts[i]
	s.mu.Unlock()
	ans, err := s.answer(i, a)
	if err != nil {
		return nil, err
	}
	return []Answer{ans}, nil
}
func (s *oneByOne) Advance(st Step, a Answer) (Step, *Result, *Error) {
	if a.Status == 200 || a.Status == 201 {
		return nil, &Result{Status: a.Status, Created: a.Status == 201, Raw: a.Body}, nil
	}
	return nil, nil, nil
}
func (s *oneByOne) Refusal(_ Step, a Answer) *Error {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(a.Body, &e)
	return &Error{Code: e.Code, Message: e.Message}
}

// apiErr is a provider's answer for a whole request.
type apiErr struct{ status int }

func (e *apiErr) Error() string        { return fmt.Sprintf("HTTP %d", e.status) }
func (e *apiErr) HTTPStatus() int      { return e.status }
func (e *apiErr) ErrorCode() string    { return "unauthorized" }
func (e *apiErr) ErrorMessage() string { return "no" }
func (e *apiErr) Unauthorized() bool   { return e.status == 401 }

var _ sharing.APIError = (*apiErr)(nil)

func inputs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("box:file:%d", 100+i)
	}
	return out
}

// TestRunOneRequestPerSlot: the engine drives a provider without batching through the same queue,
// throttling rules and pacer as Graph's batches: bounded concurrency, every item exactly once, a
// 429's retry-after waited out, a 404 final, a 5xx to a link-making request retried and settled.
func TestRunOneRequestPerSlot(t *testing.T) {
	s := &oneByOne{t: t, attempts: map[int]int{}}
	s.answer = func(i, attempt int) (Answer, error) {
		switch {
		case i%4 == 0 && attempt == 1:
			return Answer{Status: 429, RetryAfter: "3", Body: json.RawMessage(`{"code":"rate_limit_exceeded","message":"slow"}`)}, nil
		case i == 5:
			return Answer{Status: 404, Body: json.RawMessage(`{"code":"not_found","message":"Not Found"}`)}, nil
		case i == 6 && attempt == 1:
			return Answer{Status: 502}, nil
		}
		return Answer{Status: 201, Body: json.RawMessage(fmt.Sprintf(`{"id":"%d"}`, i))}, nil
	}
	got := map[int]Result{}
	var mu sync.Mutex
	err := Run(context.Background(), s, inputs(12), Options{Concurrency: 3, OnResult: func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := got[r.Index]; dup {
			t.Errorf("item %d reported twice", r.Index)
		}
		got[r.Index] = r
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 {
		t.Fatalf("%d results for 12 items", len(got))
	}
	for i, r := range got {
		switch {
		case i == 5:
			if r.Err == nil || r.Err.Code != "not_found" || r.Status != 404 {
				t.Errorf("item 5: %+v", r)
			}
		case r.Err != nil || r.Status != 201 || r.Input != fmt.Sprintf("box:file:%d", 100+i) || string(r.Raw) != fmt.Sprintf(`{"id":"%d"}`, i):
			t.Errorf("item %d: %+v %+v", i, r, r.Err)
		}
	}
	if m := s.maxSeen.Load(); m > 3 || m < 1 {
		t.Errorf("%d requests in flight, want at most the concurrency of 3", m)
	}
	if s.slept < 3*time.Second {
		t.Errorf("slept %v, want at least the 3 s retry-after", s.slept)
	}
	if s.attempts[0] != 2 || s.attempts[5] != 1 || s.attempts[6] != 2 || s.attempts[1] != 1 {
		t.Errorf("attempts %v", s.attempts)
	}
}

// TestRunStopsOnUnauthorized: a 401 for a whole request ends the run with the provider's error;
// nothing sent after it, the items never sent reported as unauthenticated.
func TestRunStopsOnUnauthorized(t *testing.T) {
	s := &oneByOne{t: t, attempts: map[int]int{}}
	s.answer = func(i, attempt int) (Answer, error) { return Answer{}, &apiErr{401} }
	codes := map[string]int{}
	err := Run(context.Background(), s, inputs(12), Options{Concurrency: 1, OnResult: func(r Result) { codes[r.Err.Code]++ }})
	if !sharing.IsUnauthorized(err) {
		t.Fatalf("err = %v", err)
	}
	if codes[Unauthenticated] != 12 || len(s.attempts) != 1 {
		t.Errorf("codes %v after %d sends", codes, len(s.attempts))
	}
}

// TestRunInvalid: bad options and a Sender whose steps don't match the items fail before anything
// is reported.
func TestRunInvalid(t *testing.T) {
	s := &oneByOne{t: t, attempts: map[int]int{}}
	called := false
	on := func(Result) { called = true }
	if err := Run(context.Background(), s, inputs(12), Options{BatchSize: 2, OnResult: on}); err == nil ||
		err.Error() != "box: invalid bulk options: concurrency 0, batch size 2 (at most 1), max attempts 0" {
		t.Errorf("err = %v", err)
	}
	if err := Run(context.Background(), s, inputs(3), Options{OnResult: on}); err == nil || !strings.Contains(err.Error(), "12 steps for 3 items") {
		t.Errorf("err = %v", err)
	}
	if called || len(s.attempts) != 0 {
		t.Error("an invalid run reported or sent something")
	}
}

// TestRunAdmit: Admit sees every batch before it is sent; one it holds back until the run is
// interrupted is put back unsent, so its items come out cancelled (not outcome unknown) and no
// Send ever carried them.
func TestRunAdmit(t *testing.T) {
	s := &oneByOne{t: t, attempts: map[int]int{}}
	s.answer = func(i, attempt int) (Answer, error) {
		return Answer{Status: 201, Body: json.RawMessage(`{}`)}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var admitted atomic.Int32
	codes := map[string]int{}
	err := Run(ctx, s, inputs(12), Options{Concurrency: 2,
		Admit: func(ctx context.Context, steps []Step) error {
			if admitted.Add(1) <= 5 {
				return nil
			}
			cancel() // the sixth batch waits for a budget that never comes
			<-ctx.Done()
			return ctx.Err()
		},
		OnResult: func(r Result) {
			if r.Err == nil {
				codes["ok"]++
			} else {
				codes[r.Err.Code]++
			}
		}})
	if err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	sent := 0
	for _, n := range s.attempts {
		sent += n
	}
	if codes["ok"] != sent || codes[Cancelled] != 12-sent || codes[OutcomeUnknown] != 0 || sent < 5 || sent > 6 {
		t.Errorf("results %v after %d sends", codes, sent)
	}
}
