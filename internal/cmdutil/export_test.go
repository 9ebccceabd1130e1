package cmdutil

import "time"

// SetCompleteTimeout changes how long completion waits for Graph, for a test.
func SetCompleteTimeout(d time.Duration) (restore func()) {
	old := completeTimeout
	completeTimeout = d
	return func() { completeTimeout = old }
}
