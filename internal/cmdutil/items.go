package cmdutil

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// ParseItem reads an item argument with the provider that claims it; an error is a usage error.
func (f *Factory) ParseItem(arg string) (sharing.Item, error) { return f.Sharing.Parse(arg) }

// Locate applies the drive flags to the items (each provider reads, or refuses, the flags for its
// own items): a usage error, or app-only sign-in without a drive for an item addressed through one.
func (f *Factory) Locate(d DriveFlags, items ...*sharing.Item) error {
	return f.Sharing.Locate(d.Context(), items)
}

// ItemTarget is what every single-item command settles before it builds a client: how to print,
// which item, where. Each failure is a usage error, so nothing has been sent.
func (f *Factory) ItemTarget(d DriveFlags, arg string) (Printing, sharing.Item, error) {
	p, err := f.ResolvePrinting()
	if err != nil {
		return p, sharing.Item{}, err
	}
	item, err := f.ParseItem(arg)
	if err != nil {
		return p, item, err
	}
	return p, item, f.Locate(d, &item)
}

// OpenItem opens the item's provider and resolves the item to where its links live, wrapping the
// provider's error with the item as the user gave it.
func OpenItem(ctx context.Context, reg *sharing.Registry, item sharing.Item) (sharing.Provider, sharing.Target, error) {
	p, err := reg.Open(item.Provider)
	if err != nil {
		return nil, sharing.Target{}, err
	}
	t, err := p.Open(ctx, item)
	if err != nil {
		return nil, sharing.Target{}, ItemError("find", item, err)
	}
	return p, t, nil
}

// ItemError wraps err, a failure of op on the item, with the item as the user gave it. When the
// provider cannot find an item that was read as an id but looks like a file name ("Notes.txt"), a
// second line says that paths start with "/". An answer odshare could not read is returned as is.
func ItemError(op string, item sharing.Item, err error) error {
	if sharing.IsAnswerError(err) {
		return err
	}
	in := output.Sanitize(item.Input)
	e := fmt.Errorf("%s %s: %w", op, in, err)
	if strings.HasPrefix(err.Error(), in+": ") {
		e = fmt.Errorf("%s %w", op, err) // the provider named the item already
	}
	if item.MaybePath && sharing.StatusOf(err) == http.StatusNotFound {
		return &HintError{Err: e, Hint: fmt.Sprintf("%q was taken as an item id: paths start with /, as in %s", output.Sanitize(item.Input), ShellQuote("/"+item.Input))}
	}
	return e
}

// HintError is an error with a second line saying how to fix it.
type HintError struct {
	Err  error
	Hint string
}

func (h *HintError) Error() string { return h.Err.Error() + "\n" + h.Hint }
func (h *HintError) Unwrap() error { return h.Err }

// ShellQuote quotes s for a POSIX shell when it holds anything but plain characters, so a hint
// can be pasted as is.
func ShellQuote(s string) string {
	s = output.Sanitize(s)
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@%=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
