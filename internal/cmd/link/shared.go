package link

import (
	"github.com/odshare/odshare/internal/cmdutil"
)

// Shorthands for the listing helpers every link command shares (cmdutil's).
var (
	dash       = cmdutil.Dash
	shellQuote = cmdutil.ShellQuote
)
