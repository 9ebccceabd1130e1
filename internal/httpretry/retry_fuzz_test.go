package httpretry

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseRetryAfter checks ParseRetryAfter on any header value: it never panics, never returns a
// negative wait, accepts exactly the decimal forms and the HTTP-dates after now, and reads back the
// seconds and dates it is given.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"2", " 120 ", "0", "2.128", ".5", "3.", "Tue, 24 Nov 2026 08:00:30 GMT",
		"Tuesday, 24-Nov-26 08:01:00 GMT", "Tue Nov 24 08:00:05 2026", "", "-1", "+2", "1e3", "NaN", "0x10",
		"1.2.3", ".", "soon", "99999999999999999999999", "\x00", "\t7\r\n"} {
		f.Add(s, int64(1795507200), uint32(0)) // now = 2026-11-24T08:00:00Z
	}
	f.Add("", int64(0), uint32(30))
	f.Add("", int64(-62135596800), uint32(86400*365))
	f.Fuzz(func(t *testing.T, v string, nowUnix int64, secs uint32) {
		now := time.Unix(nowUnix, 0).UTC()
		d, ok := ParseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v: a negative wait", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false: a wait without ok", v, d)
		}
		trimmed := strings.TrimSpace(v)
		if isDecimal(trimmed) {
			want, _ := strconv.ParseFloat(trimmed, 64) // +Inf beyond float64
			if !ok {
				t.Fatalf("ParseRetryAfter(%q) = %v, %v: a decimal value must be honoured", v, d, ok)
			}
			if got := d.Seconds(); want < float64(math.MaxInt64/int64(time.Second)) && math.Abs(got-want) > 1e-9*max(1, want) {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %gs", v, d, want)
			}
		} else if ok {
			if at, err := http.ParseTime(trimmed); err != nil || !at.After(now) || at.Sub(now) != d {
				t.Fatalf("ParseRetryAfter(%q) = %v, true: neither decimal nor an HTTP-date after now", v, d)
			}
		}

		// Seconds and dates written the way servers write them read back exactly.
		if d, ok := ParseRetryAfter(strconv.FormatUint(uint64(secs), 10), now); !ok || d != time.Duration(secs)*time.Second {
			t.Fatalf("Retry-After: %d read as %v, %v", secs, d, ok)
		}
		at := now.Add(time.Duration(secs) * time.Second)
		if at.Year() < 1 || at.Year() > 9999 {
			return // outside what an HTTP-date can spell
		}
		d, ok = ParseRetryAfter(at.Format(http.TimeFormat), now)
		if secs == 0 {
			if ok {
				t.Fatalf("Retry-After: a date equal to now read as %v, true; want a fall back to backoff", d)
			}
		} else if !ok || d != time.Duration(secs)*time.Second {
			t.Fatalf("Retry-After: %s (now %s) read as %v, %v; want %ds", at.Format(http.TimeFormat), now.Format(http.TimeFormat), d, ok, secs)
		}
	})
}
