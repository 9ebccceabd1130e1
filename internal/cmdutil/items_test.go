package cmdutil

import (
	"errors"
	"testing"

	"github.com/odshare/odshare/internal/sharing"
)

// TestItemErrorNamesTheItemOnce: the item comes first in the message, once, whether or not the
// provider's error already starts with it.
func TestItemErrorNamesTheItemOnce(t *testing.T) {
	for _, tc := range []struct {
		input, cause, want string
	}{
		{"box:/Nope.pdf", `box:/Nope.pdf: no item named "Nope.pdf" in /`, `find box:/Nope.pdf: no item named "Nope.pdf" in /`},
		{"/Nope.pdf", "itemNotFound: The resource could not be found.", "find /Nope.pdf: itemNotFound: The resource could not be found."},
		{"box:/Nope", "box:/Nope.pdf: something else", "find box:/Nope: box:/Nope.pdf: something else"},
	} {
		err := ItemError("find", sharing.Item{Input: tc.input}, errors.New(tc.cause))
		if err.Error() != tc.want {
			t.Errorf("%q: %q, want %q", tc.input, err, tc.want)
		}
	}
}
