package link

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// weeksDays matches the leading week and day counts of a duration ("2w", "1w3d", "7d12h").
var weeksDays = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:(\d+)w)?(?:(\d+)d)?(.*)$`) })

// expiryUsage is the hint every bad --expires gets.
const expiryUsage = "use a date (2026-12-31: the end of that day, local time), an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 2w, 12h or 30m"

// parseExpiry turns --expires into the UTC RFC 3339 string Graph wants (whole seconds,
// "yyyy-MM-ddTHH:mm:ssZ" as the createLink docs show). It takes an RFC 3339 time; a date, meaning
// the end of that day (23:59:59) in now's time zone, the local one (TZ); or a duration from now
// such as 7d, 2w, 12h, 30m or 1w2d12h. The result must lie in the future.
func parseExpiry(s string, now time.Time) (string, error) { return parseExpiryAs("--expires", s, now) }

// parseExpiryAs is parseExpiry with errors about name ("--expires", or a CSV column).
func parseExpiryAs(name, s string, now time.Time) (string, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return "", fmt.Errorf("invalid %s %q: the time is in the past", name, s)
		}
		return wireTime(t, now), nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		end := time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, now.Location())
		if !end.After(now) {
			return "", fmt.Errorf("invalid %s %q: that day is over", name, s)
		}
		return wireTime(end, now), nil
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return "", fmt.Errorf("invalid %s %q: %s", name, s, expiryUsage)
	}
	return wireTime(now.Add(d), now), nil
}

// relativeExpiry reports whether --expires s is a duration from now, so that the same command
// run later asks a later expiry.
func relativeExpiry(s string) bool {
	_, err := parseDuration(s)
	return err == nil
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

// maxDays bounds a duration's weeks and days (a hundred years).
const maxDays = 36500

// parseDuration is time.ParseDuration plus leading week and day counts ("2w", "7d", "1w2d12h").
func parseDuration(s string) (time.Duration, error) {
	m := weeksDays().FindStringSubmatch(s)
	if m == nil || s == "" {
		return 0, fmt.Errorf("bad duration")
	}
	days := 0
	for i, unit := range []int{7, 1} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > maxDays {
			return 0, fmt.Errorf("bad day count")
		}
		days += n * unit
	}
	if days > maxDays {
		return 0, fmt.Errorf("bad day count")
	}
	total := time.Duration(days) * 24 * time.Hour
	if m[3] == "" {
		if m[1] == "" && m[2] == "" {
			return 0, fmt.Errorf("bad duration")
		}
		return total, nil
	}
	d, err := time.ParseDuration(m[3])
	if err != nil {
		return 0, err
	}
	return total + d, nil
}

// isNever reports whether --expires asks to remove an expiry: "never" (or "none"), in any case.
func isNever(s string) bool { return strings.EqualFold(s, "never") || strings.EqualFold(s, "none") }
