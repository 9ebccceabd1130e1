// Command hello is the Go hello-world that bench/run.sh compares odshare's start-up with: built
// the same way (static, -trimpath, -s -w), it is the floor of any Go program's exec to exit.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Fprintln(os.Stdout, "hello, world") }
