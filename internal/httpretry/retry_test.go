package httpretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"2", 2 * time.Second, true},
		{" 120 ", 120 * time.Second, true},
		{"0", 0, true},
		{"2.128", 2128 * time.Millisecond, true}, // Graph's own sample (Graph)
		{"0.5", 500 * time.Millisecond, true},
		{".5", 500 * time.Millisecond, true},
		{"3.", 3 * time.Second, true},
		{"Tue, 24 Nov 2026 08:00:30 GMT", 30 * time.Second, true},
		{"Tuesday, 24-Nov-26 08:01:00 GMT", time.Minute, true}, // RFC 850
		{"Tue Nov 24 08:00:05 2026", 5 * time.Second, true},    // ANSI C
		{"Tue, 24 Nov 2026 07:59:00 GMT", 0, false},            // in the past: back off instead
		{"Tue, 24 Nov 2026 08:00:00 GMT", 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"-0.5", 0, false},
		{"+2", 0, false},
		{"1e3", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"0x10", 0, false},
		{"1.2.3", 0, false},
		{".", 0, false},
		{"soon", 0, false},
		{"2 seconds", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.wantOK)
		}
	}
	if d, ok := ParseRetryAfter("99999999999999999999999", now); !ok || d <= 0 {
		t.Errorf("huge value: %v, %v; want a large positive duration", d, ok)
	}
}

func TestBackoffFullJitterBounds(t *testing.T) {
	for retry := 1; retry <= 40; retry++ {
		ceil := min(BackoffBase<<min(retry-1, 20), BackoffCap)
		for range 50 {
			if d := Backoff(retry); d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", retry, d, ceil)
			}
		}
	}
}

func TestSleepCtxStopsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("sleep did not stop on cancel")
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx with zero wait: err = %v", err)
	}
}

func TestBackoffBelowOneIsFirstRetry(t *testing.T) {
	for range 50 {
		if d := Backoff(0); d < 0 || d > BackoffBase {
			t.Fatalf("Backoff(0) = %v, want within [0, %v]", d, BackoffBase)
		}
	}
}

func TestStatusClasses(t *testing.T) {
	for status, want := range map[int][2]bool{
		// status: {HonoursRetryAfter, RetryableServerError}
		200: {false, false}, 400: {false, false}, 401: {false, false}, 404: {false, false},
		429: {true, false}, 500: {false, true}, 501: {false, false}, 502: {false, true},
		503: {true, true}, 504: {true, true}, 505: {false, false}, 507: {false, false}, 509: {false, true},
		599: {false, true}, 600: {false, false},
	} {
		if got := [2]bool{HonoursRetryAfter(status), RetryableServerError(status)}; got != want {
			t.Errorf("status %d: (HonoursRetryAfter, RetryableServerError) = %v, want %v", status, got, want)
		}
	}
}

func TestRetryableTransport(t *testing.T) {
	cases := map[error]bool{
		io.EOF:                         true,
		io.ErrUnexpectedEOF:            true,
		fmt.Errorf("read: %w", io.EOF): true,
		&net.OpError{Op: "read", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}: true,
		context.DeadlineExceeded:           false,
		errors.New("tls: bad certificate"): false,
	}
	for err, want := range cases {
		if got := RetryableTransport(err); got != want {
			t.Errorf("RetryableTransport(%v) = %v, want %v", err, got, want)
		}
	}
}

func TestWait(t *testing.T) {
	is424 := func(s int) bool { return s == 424 }
	cases := []struct {
		status     int
		retryAfter string
		retryAlso  func(int) bool
		want       time.Duration // -1: any backoff within BackoffBase
		retry      bool
	}{
		{429, "2", nil, 2 * time.Second, true},
		{429, "0.25", nil, 250 * time.Millisecond, true},
		{429, "3600", nil, time.Minute, true}, // capped at maxWait
		{429, "", nil, -1, true},
		{429, "soon", nil, -1, true},
		{503, "7", nil, 7 * time.Second, true},
		{504, "1", nil, time.Second, true},
		{500, "9", nil, -1, true}, // Retry-After is not read on a plain 500
		{502, "", nil, -1, true},
		{424, "4", is424, 4 * time.Second, true},
		{424, "4", nil, 0, false},
		{400, "1", nil, 0, false},
		{401, "", nil, 0, false},
		{404, "", nil, 0, false},
		{501, "", nil, 0, false},
	}
	for _, c := range cases {
		d, retry := Wait(1, c.status, c.retryAfter, time.Minute, c.retryAlso)
		if retry != c.retry {
			t.Errorf("Wait(%d, %q): retry = %v, want %v", c.status, c.retryAfter, retry, c.retry)
			continue
		}
		if c.want == -1 {
			if d < 0 || d > BackoffBase {
				t.Errorf("Wait(%d, %q) = %v, want a first backoff within [0, %v]", c.status, c.retryAfter, d, BackoffBase)
			}
		} else if d != c.want {
			t.Errorf("Wait(%d, %q) = %v, want %v", c.status, c.retryAfter, d, c.want)
		}
	}
}

func TestThrottleBackoff(t *testing.T) {
	for retry, ceil := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 6: 32 * time.Second, 7: time.Minute, 40: time.Minute} {
		for range 50 {
			if d := ThrottleBackoff(retry); d < ceil/2 || d > ceil {
				t.Fatalf("ThrottleBackoff(%d) = %v, want within [%v, %v]", retry, d, ceil/2, ceil)
			}
		}
	}
	if !Throttled(429) || !Throttled(503) || Throttled(504) || Throttled(500) {
		t.Error("Throttled: want 429 and 503 only")
	}
}
