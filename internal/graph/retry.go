package graph

import "github.com/odshare/odshare/internal/httpretry"

// The retry rules are package httpretry's, shared with the Box client and the bulk engine.
const defaultMaxAttempts = httpretry.DefaultMaxAttempts
