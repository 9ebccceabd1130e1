package cmdutil

import (
	"context"
	"time"
)

// SetCompleteTimeout makes completion wait d for Graph, for a test, and returns the contexts it
// used.
func SetCompleteTimeout(d time.Duration) (used func() []context.Context, restore func()) {
	old := completeContext
	var ctxs []context.Context
	completeContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(ctx, d)
		ctxs = append(ctxs, ctx)
		return ctx, cancel
	}
	return func() []context.Context { return ctxs }, func() { completeContext = old }
}
