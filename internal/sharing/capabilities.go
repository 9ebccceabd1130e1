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
