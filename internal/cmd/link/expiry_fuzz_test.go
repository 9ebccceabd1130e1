package link

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var wireTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// FuzzParseExpiry checks --expires on any value: an accepted one becomes Graph's whole-second UTC form,
// strictly after now, and reads back as itself; a refused one is a one-line usage error naming the flag.
func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"7d", "12h", "30m", "1d12h", "300ms", "1ns", "2026-12-31T17:00:00Z",
		"2026-12-31T17:00:00.75+02:00", "2020-01-01T00:00:00Z", "0d", "-5h", "tomorrow", "2026-12-31", "1w",
		"99999999d", "36500d2562047h", "9999-12-31T23:59:59Z", "d", "1d-1h", "\n7d", ""} {
		f.Add(s, int64(1795514400), int64(500_000_000)) // now = 2026-11-24T10:00:00.5Z
	}
	f.Fuzz(func(t *testing.T, s string, nowUnix, nowNanos int64) {
		now := time.Unix(nowUnix%(1<<34), nowNanos%int64(time.Second)).UTC() // years 1425..2514
		got, err := parseExpiry(s, now)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "invalid --expires ") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("parseExpiry(%q) error %q", s, msg)
			}
			return
		}
		if !wireTimeRE.MatchString(got) {
			t.Fatalf("parseExpiry(%q) = %q: not yyyy-MM-ddTHH:mm:ssZ", s, got)
		}
		at, err := time.Parse(time.RFC3339, got)
		if err != nil || !at.After(now) {
			t.Fatalf("parseExpiry(%q) = %q, now %s: not after now", s, got, now.Format(time.RFC3339Nano))
		}
		if again, err := parseExpiry(got, now); err != nil || again != got || relativeExpiry(got) {
			t.Fatalf("parseExpiry(%q) = %q, but that reads back as %q, %v (relative: %v)", s, got, again, err, relativeExpiry(got))
		}
	})
}

// FuzzParseDuration checks the duration form of --expires: whatever time.Duration prints reads back as
// the same duration, with or without a leading day count, and an accepted value is never negative
// unless it says so.
func FuzzParseDuration(f *testing.F) {
	f.Add(int64(90*time.Minute), uint16(7), "12h")
	f.Add(int64(1), uint16(0), "1d")
	f.Add(int64(-time.Hour), uint16(36500), "-1h")
	f.Add(int64(1<<62), uint16(36501), "1d1d")
	f.Fuzz(func(t *testing.T, ns int64, days uint16, s string) {
		d := time.Duration(ns)
		if got, err := parseDuration(d.String()); err != nil || got != d {
			t.Fatalf("parseDuration(%q) = %v, %v; want %v", d.String(), got, err, d)
		}
		if days <= 36500 && d >= 0 && d <= 1000*time.Hour {
			in := strconv.Itoa(int(days)) + "d" + d.String()
			want := time.Duration(days)*24*time.Hour + d
			if got, err := parseDuration(in); err != nil || got != want {
				t.Fatalf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
			}
		}
		if got, err := parseDuration(s); err == nil && got < 0 && !strings.Contains(s, "-") {
			t.Fatalf("parseDuration(%q) = %v: negative", s, got)
		}
	})
}
