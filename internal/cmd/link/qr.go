package link

import (
	"fmt"
	"io"

	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"

	"github.com/odshare/odshare/internal/sharing"
)

// printQR draws the link's URL as a QR code for phones: on stdout when it is a terminal, else on
// stderr so that piped results stay clean. A link too long for any QR code is already printed
// with the results, so it gets a one-line notice on stderr instead, and the command succeeds.
func printQR(opts *CreateOptions, l *sharing.Link) error {
	if !opts.QR || !l.IsLink || l.URL == "" {
		return nil
	}
	w := opts.IO.ErrOut
	if opts.IO.IsStdoutTTY() {
		w = opts.IO.Out
	}
	if !writeQR(w, l.URL) {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: no QR code: the link is %d characters, more than a QR code holds; use the link above\n", len(l.URL))
	}
	return nil
}

// writeQR renders url with half blocks (two modules per character cell) and a quiet zone, at
// error correction M, or L when M can't hold it. It reports false, drawing nothing, when no QR
// code can hold url (about 2,950 bytes at L): qrterminal would dereference a nil code then.
func writeQR(w io.Writer, url string) bool {
	level := qrterminal.M
	if _, err := qr.Encode(url, qr.M); err != nil {
		if _, err := qr.Encode(url, qr.L); err != nil {
			return false
		}
		level = qrterminal.L
	}
	qrterminal.GenerateWithConfig(url, qrterminal.Config{
		Level:          level,
		Writer:         w,
		HalfBlocks:     true,
		BlackChar:      qrterminal.BLACK_BLACK,
		WhiteBlackChar: qrterminal.WHITE_BLACK,
		WhiteChar:      qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE,
		QuietZone:      2,
	})
	return true
}
