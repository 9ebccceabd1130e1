package output

import (
	"math"
	"testing"
)

func TestHumanSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{-1, "-"},
		{math.MinInt64, "-"},
		{0, "0 B"},
		{1, "1 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{1048575, "1.0 MiB"}, // 1023.999 KiB rounds up to the next unit
		{1048576, "1.0 MiB"},
		{5 * 1024 * 1024 * 1024, "5.0 GiB"},
		{1 << 40, "1.0 TiB"},
		{1 << 50, "1.0 PiB"},
		{1 << 60, "1.0 EiB"},
		{math.MaxInt64, "8.0 EiB"},
	}
	for _, tt := range tests {
		if got := HumanSize(tt.in); got != tt.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanTime(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"2026-11-24T10:03:05Z", "2026-11-24 10:03 UTC"},
		{"2026-11-24T10:03:05.1234567Z", "2026-11-24 10:03 UTC"}, // Graph's 7 fractional digits
		{"2026-11-24T11:03:05+01:00", "2026-11-24 10:03 UTC"},
		{"2026-11-24T00:30:00-02:00", "2026-11-24 02:30 UTC"},
		{"", "-"},
		{"0001-01-01T00:00:00Z", "-"},
		{"yesterday", "yesterday"},
		{"2026-13-01T00:00:00Z", "2026-13-01T00:00:00Z"},
		{"bad\x1b[2J", `bad\x1b[2J`},
	}
	for _, tt := range tests {
		if got := HumanTime(tt.in); got != tt.want {
			t.Errorf("HumanTime(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"table", "json"} {
		f, err := ParseFormat(s)
		if err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"xml", "", "JSON", " json"} {
		_, err := ParseFormat(s)
		if err == nil {
			t.Errorf("ParseFormat(%q): no error", s)
		}
	}
	_, err := ParseFormat("xml")
	if want := `invalid output format "xml": valid values are table, wide, json, ndjson`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if got := Formats(); len(got) != 4 || got[0] != FormatTable || got[1] != FormatWide || got[2] != FormatJSON || got[3] != FormatNDJSON {
		t.Errorf("Formats() = %v", got)
	}
}
