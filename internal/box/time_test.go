package box

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), "2026-12-31T17:00:00+00:00"},
		{time.Date(2026, 12, 31, 17, 0, 0, 999_999_999, time.UTC), "2026-12-31T17:00:00+00:00"}, // cut, not rounded
		{time.Date(2027, 1, 1, 2, 0, 0, 0, tokyo), "2026-12-31T17:00:00+00:00"},
		{time.Date(2026, 3, 29, 1, 30, 0, 0, time.FixedZone("", -90*60)), "2026-03-29T03:00:00+00:00"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local), time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local).UTC().Format("2006-01-02T15:04:05") + "+00:00"},
	}
	for _, c := range cases {
		if got := FormatTime(c.in); got != c.want {
			t.Errorf("FormatTime(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"2026-12-31T17:00:00+00:00",
		"2026-12-31T17:00:00Z",
		"2026-12-31T09:00:00-08:00", // Box answers in the account's zone
		"2027-01-01T02:00:00+09:00",
		"2026-12-31T17:00:00.000Z",
		"2026-12-31T22:30:00+05:30",
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := ParseTime("2026-12-31T17:00:00.123456+00:00"); err != nil || got.Nanosecond() != 123456000 {
		t.Errorf("fractional: %v, %v", got, err)
	}
	for _, bad := range []string{"", "2016-06-29T22:59:11.977388", "2026-12-31", "1616630023", "Thu Dec 31 2026 17:00:00 GMT+0000",
		"2026-12-31 17:00:00+00:00", "2026-12-31T17:00:00+0000", "2026-13-01T00:00:00Z"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestTimestampJSON(t *testing.T) {
	ts := At(time.Date(2026, 6, 1, 12, 0, 0, 500, time.FixedZone("", 2*3600)))
	b, err := json.Marshal(ts)
	if err != nil || string(b) != `"2026-06-01T10:00:00+00:00"` {
		t.Errorf("marshal = %s, %v", b, err)
	}
	var back Timestamp
	if err := json.Unmarshal(b, &back); err != nil || !back.Equal(ts.Truncate(time.Second)) {
		t.Errorf("round trip = %v, %v", back, err)
	}
	if _, err := json.Marshal(Timestamp{}); err == nil {
		t.Error("a zero Timestamp was marshalled")
	}
	if err := json.Unmarshal([]byte(`12`), &back); err == nil {
		t.Error("a number was read as a time")
	}
}
