package link

import "testing"

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/Reports/Q3.xlsx":           "/Reports/Q3.xlsx",
		"/Q3 #1 100%.xlsx":           "'/Q3 #1 100%.xlsx'",
		"it's":                       `'it'\''s'`,
		"https://1drv.ms/f/s!AbC":    "'https://1drv.ms/f/s!AbC'",
		"aTowIy5mfG1lbWJlcnNoaXB8aQ": "aTowIy5mfG1lbWJlcnNoaXB8aQ",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
