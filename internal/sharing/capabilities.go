package sharing

import "context"

// PathCompleter is a Provider that can complete /paths on the command line (shell completion).
type PathCompleter interface {
	// CompleteFolder returns the names of up to n items in the folder dir (an item ByPath),
	// folders with a trailing "/".
	CompleteFolder(ctx context.Context, dir Item, n int) ([]string, error)
}

// CompletionKeyer is a Parser that can say which folder a completion lists, without a client, so a
// cache can answer a second Tab: the same key, the same folder.
type CompletionKeyer interface {
	CompletionKey(dir Item) string
}

// ShareTokenizer is a Parser that turns sharing URLs into the share tokens its API takes and back
// (Graph's u! tokens for /shares), without a client: `odshare encode-url`.
type ShareTokenizer interface {
	// EncodeShareURL returns the token for a sharing URL; a URL it cannot take is a usage error.
	EncodeShareURL(url string) (string, error)
	// DecodeShareToken returns the sharing URL a token encodes.
	DecodeShareToken(token string) (string, error)
}

// ParserAs returns the first registered parser that has the capability T.
func ParserAs[T any](r *Registry) (T, bool) {
	for _, p := range r.Parsers() {
		if t, ok := p.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
