package link

import (
	"io"

	"github.com/mdp/qrterminal/v3"

	"github.com/odshare/odshare/internal/graph/api"
)

// printQR draws the link's URL as a QR code for phones: on stdout when it is a terminal, else on
// stderr so that piped results stay clean.
func printQR(opts *CreateOptions, p api.Permission) error {
	if !opts.QR || p.Link == nil || p.Link.WebURL == "" {
		return nil
	}
	w := opts.IO.ErrOut
	if opts.IO.IsStdoutTTY() {
		w = opts.IO.Out
	}
	writeQR(w, p.Link.WebURL)
	return nil
}

// writeQR renders url with half blocks (two modules per character cell) and a quiet zone.
func writeQR(w io.Writer, url string) {
	qrterminal.GenerateWithConfig(url, qrterminal.Config{
		Level:          qrterminal.M,
		Writer:         w,
		HalfBlocks:     true,
		BlackChar:      qrterminal.BLACK_BLACK,
		WhiteBlackChar: qrterminal.WHITE_BLACK,
		WhiteChar:      qrterminal.WHITE_WHITE,
		BlackWhiteChar: qrterminal.BLACK_WHITE,
		QuietZone:      2,
	})
}
