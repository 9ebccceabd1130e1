package box

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/odshare/odshare/internal/safetext"
)

// sendLayout is how odshare writes a time to Box: UTC, whole seconds, an explicit +00:00 offset, as
// boxcli's normalizeDateString does. Box refused zone-less values (box/box-python-sdk#141).
const sendLayout = "2006-01-02T15:04:05+00:00"

// FormatTime writes t for Box: converted to UTC and cut to whole seconds, e.g.
// "2026-12-31T17:00:00+00:00".
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(sendLayout)
}

// ParseTime reads a time from Box as an instant. Box answers in the account's time zone
// ("2026-12-31T09:00:00-08:00"), sometimes with fractional seconds; any RFC 3339 offset is accepted, and
// a value without one is refused rather than guessed.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("box: %q is not an RFC 3339 date-time with an offset", safetext.Line(s))
	}
	return t, nil
}

// Timestamp is a time in Box's JSON: marshalled with FormatTime, unmarshalled with ParseTime. Compare
// Timestamps with Time.Equal, never ==: Box's answer keeps its own offset.
type Timestamp struct{ time.Time }

// At is the Timestamp of t.
func At(t time.Time) Timestamp { return Timestamp{t} }

// MarshalJSON writes FormatTime's form; a zero Timestamp is an error (use Null to remove a time).
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return nil, errors.New("box: zero time")
	}
	return json.Marshal(FormatTime(t.Time))
}

// UnmarshalJSON reads a JSON string with ParseTime; null leaves t unchanged.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("box: a date-time must be a JSON string: %w", err)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}
