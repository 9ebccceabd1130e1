//go:build !unix

package main

import "os"

// minorFaults is not counted where there is no getrusage.
func minorFaults(*os.ProcessState) int64 { return 0 }
