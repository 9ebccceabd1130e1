package output

import (
	"math"
	"strconv"
	"time"
)

var sizeUnits = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// HumanSize formats a byte count with binary units: "0 B", "1023 B",
// "1.5 KiB", "1.0 MiB", up to EiB. A negative size (Graph omits size for
// some items and callers use -1 for "unknown") prints as "-".
func HumanSize(n int64) string {
	if n < 0 {
		return "-"
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n) / 1024
	u := 0
	// Promote when rounding to one decimal would print 1024.0 of a unit.
	for math.Round(f*10)/10 >= 1024 && u < len(sizeUnits)-1 {
		f /= 1024
		u++
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + sizeUnits[u]
}

// HumanTime formats a Graph timestamp (RFC 3339, any fractional seconds) as
// "2026-11-24 10:03 UTC". It always converts to UTC, so output does not depend
// on the machine's time zone. An empty or zero time ("0001-01-01T00:00:00Z",
// which Graph sends for "never") prints as "-"; anything unparseable is
// printed sanitised, as given.
func HumanTime(rfc3339 string) string {
	if rfc3339 == "" {
		return "-"
	}
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return Sanitize(rfc3339)
	}
	t = t.UTC()
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04") + " UTC"
}
