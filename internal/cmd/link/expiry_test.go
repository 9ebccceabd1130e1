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
		{in: "0d", err: `invalid --expires "0d": ` + expiryUsage},
		{in: "-5h", err: `invalid --expires "-5h": ` + expiryUsage},
		{in: "tomorrow", err: `invalid --expires "tomorrow": ` + expiryUsage},
		{in: "2026-12-31", want: "2026-12-31T23:59:59Z"}, // the end of that day, in now's zone (UTC here)
		{in: "2026-11-24", want: "2026-11-24T23:59:59Z"}, // today: still ahead
		{in: "2026-11-23", err: `invalid --expires "2026-11-23": that day is over`},
		{in: "2026-02-30", err: `invalid --expires "2026-02-30": ` + expiryUsage},
		{in: "1w", want: "2026-12-01T10:00:00Z"},
		{in: "2w", want: "2026-12-08T10:00:00Z"},
		{in: "1w1d12h", want: "2026-12-02T22:00:00Z"},
		{in: "w", err: `invalid --expires "w": ` + expiryUsage},
		{in: "1d1w", err: `invalid --expires "1d1w": ` + expiryUsage},
		{in: "6000w", err: `invalid --expires "6000w": ` + expiryUsage},
		{in: "99999999d", err: `invalid --expires "99999999d": ` + expiryUsage},
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

// A duration counts from now, so the same command run later asks a later expiry; a date or a time
// asks the same one (within the day, for a date). The wire form of any expiry is not relative.
func TestRelativeExpiry(t *testing.T) {
	for in, want := range map[string]bool{
		"7d": true, "2w": true, "12h": true, "1w2d12h": true, "30m": true,
		"2026-12-31": false, "2026-12-31T17:00:00Z": false, "2026-12-31T17:00:00.75+02:00": false,
	} {
		if got := relativeExpiry(in); got != want {
			t.Errorf("relativeExpiry(%q) = %v, want %v", in, got, want)
		}
	}
}

// A date is the end of that day where the user is: in Tokyo (UTC+9), 2026-12-31 ends at 14:59:59Z.
func TestParseExpiryDateIsLocal(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, tokyo)
	if got, err := parseExpiry("2026-12-31", now); err != nil || got != "2026-12-31T14:59:59Z" {
		t.Errorf("got %q, %v", got, err)
	}
}
