package link

import (
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		in, want, err string
	}{
		{in: "7d", want: "2026-12-01T10:00:00Z"},
		{in: "12h", want: "2026-11-24T22:00:00Z"},
		{in: "30m", want: "2026-11-24T10:30:00Z"},
		{in: "1d12h", want: "2026-11-25T22:00:00Z"},
		{in: "2026-12-31T17:00:00Z", want: "2026-12-31T17:00:00Z"},
		{in: "2026-12-31T17:00:00.75+02:00", want: "2026-12-31T15:00:00Z"},
		{in: "2020-01-01T00:00:00Z", err: `invalid --expires "2020-01-01T00:00:00Z": the time is in the past`},
		{in: "0d", err: `invalid --expires "0d": use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m`},
		{in: "-5h", err: `invalid --expires "-5h": use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m`},
		{in: "tomorrow", err: `invalid --expires "tomorrow": use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m`},
		{in: "2026-12-31", err: `invalid --expires "2026-12-31": use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m`},
		{in: "99999999d", err: `invalid --expires "99999999d": use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseExpiry(tt.in, now)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
