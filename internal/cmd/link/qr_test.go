package link

import (
	"bytes"
	"strings"
	"testing"

	"rsc.io/qr"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
)

// TestWriteQRDecodesToTheURL reads the half-block drawing back into modules and compares them
// with the QR code of the URL: what a phone scans is the link, not just some blocks.
func TestWriteQRDecodesToTheURL(t *testing.T) {
	url := "https://1drv.ms/f/s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ"
	var b bytes.Buffer
	if !writeQR(&b, url) {
		t.Fatal("no QR code")
	}
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

// TestQRForALinkTooLongForAQRCode: Graph returned a link of 3,000 characters (no QR code holds
// that many bytes). The command must not panic after the link was created: it prints the link,
// a one-line notice on stderr, and succeeds.
func TestQRForALinkTooLongForAQRCode(t *testing.T) {
	long := "https://contoso.sharepoint.com/:w:/g/" + strings.Repeat("A", 3000)
	fx := &emulator.Fixture{
		Me:    "adele@contoso.example",
		Users: []emulator.FixtureUser{{ID: "u1", UserPrincipalName: "adele@contoso.example", DisplayName: "Adele"}},
		Drives: []emulator.FixtureDrive{{ID: "d1", DriveType: emulator.DriveTypePersonal, Owner: "u1",
			Items: []emulator.FixtureItem{{ID: "item1", Name: "plan.docx", Size: 1,
				Permissions: []emulator.FixturePermission{{ID: "p1", ShareID: "s!p1",
					Link: &emulator.FixtureLink{Type: "view", Scope: "anonymous", WebURL: long}}}}}}},
	}
	for _, tty := range []bool{false, true} {
		e := cmdtest.WithEmulatorOptions(t, emulator.Options{Seed: fx, RandomSeed: 1})
		e.Factory.IOStreams.SetStdoutTTY(tty)
		e.Factory.IOStreams.SetTerminalWidth(300)
		if err := cmdtest.Execute(e, newCmdCreate(e.Factory, nil), []string{"item1", "--type", "view", "--scope", "anonymous", "--qr", "-o", "wide"}); err != nil {
			t.Fatalf("tty=%v: %v; stderr %q", tty, err, e.ErrOut.String())
		}
		if !strings.Contains(e.Out.String(), long) {
			t.Errorf("tty=%v: stdout lacks the link: %q", tty, e.Out.String())
		}
		if got := e.ErrOut.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "no QR code: the link is 3037 characters") {
			t.Errorf("tty=%v: stderr = %q, want the one-line notice", tty, got)
		}
	}
}

// TestWriteQRFallsBackToLowerCorrection: a link too long for level M but within level L still
// gets a code.
func TestWriteQRFallsBackToLowerCorrection(t *testing.T) {
	url := "https://1drv.ms/f/s!" + strings.Repeat("B", 2500)
	if _, err := qr.Encode(url, qr.M); err == nil {
		t.Fatal("the URL fits level M; make it longer")
	}
	var b bytes.Buffer
	if !writeQR(&b, url) || b.Len() == 0 {
		t.Fatal("no QR code for a URL that level L holds")
	}
}
