package link

import (
	"bytes"
	"strings"
	"testing"

	"rsc.io/qr"
)

// TestWriteQRDecodesToTheURL reads the half-block drawing back into modules and compares them
// with the QR code of the URL: what a phone scans is the link, not just some blocks.
func TestWriteQRDecodesToTheURL(t *testing.T) {
	url := "https://1drv.ms/f/s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ"
	var b bytes.Buffer
	writeQR(&b, url)
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	const quiet = 2
	// One border line on top, then one line per two module rows.
	rows := lines[1 : 1+(code.Size+1)/2]
	for k, line := range rows {
		cells := []rune(line)
		for j := 0; j < code.Size; j++ {
			top, bottom := false, false // false = white (light) module
			switch cells[quiet+j] {
			case ' ':
				top, bottom = true, true
			case '▄':
				top = true
			case '▀':
				bottom = true
			case '█':
			default:
				t.Fatalf("unexpected cell %q", cells[quiet+j])
			}
			i := 2 * k
			if top != code.Black(j, i) || (i+1 < code.Size && bottom != code.Black(j, i+1)) {
				t.Fatalf("module (%d,%d) differs from the QR code of %s", j, i, url)
			}
		}
	}
}
