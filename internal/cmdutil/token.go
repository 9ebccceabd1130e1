package cmdutil

import (
	"context"

	"github.com/odshare/odshare/internal/graph"
)

// StaticTokenSource serves one bearer token as is; it cannot refresh.
func StaticTokenSource(token string) graph.TokenSource { return static(token) }

type static string

func (s static) Token(context.Context) (string, error) { return string(s), nil }
