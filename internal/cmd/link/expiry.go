package link

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

var daysPrefix = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseExpiry turns --expires into the UTC RFC 3339 string Graph wants (whole seconds,
// "yyyy-MM-ddTHH:mm:ssZ" as the createLink docs show). It takes an RFC 3339 time or a duration
// from now such as 7d, 12h, 30m or 1d12h; the result must lie in the future.
func parseExpiry(s string, now time.Time) (string, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return "", fmt.Errorf("invalid --expires %q: the time is in the past", s)
		}
		return wireTime(t, now), nil
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return "", fmt.Errorf("invalid --expires %q: use an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 12h or 30m", s)
	}
	return wireTime(now.Add(d), now), nil
}

// wireTime formats t, a time after now, in whole UTC seconds, rounding up when cutting the fraction
// would put it at or before now ("--expires 300ms").
func wireTime(t, now time.Time) string {
	w := t.UTC().Truncate(time.Second)
	if !w.After(now) {
		w = w.Add(time.Second)
	}
	return w.Format("2006-01-02T15:04:05Z")
}

// parseDuration is time.ParseDuration plus a leading day count ("7d", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	var days time.Duration
	if m := daysPrefix.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 36500 {
			return 0, fmt.Errorf("bad day count")
		}
		days = time.Duration(n) * 24 * time.Hour
		s = m[2]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return days + d, nil
}
