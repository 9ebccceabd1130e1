// Package build holds the version stamped in by the linker:
//
//	go build -ldflags "-X github.com/odshare/odshare/internal/build.Version=v1.2.3 ..."
package build

import "runtime/debug"

// Version, Commit and Date are set with -ldflags -X at release time.
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

func init() {
	// A `go install module@version` build carries its version in the build info; use it so that
	// such installs do not all report "dev".
	if Version != "dev" {
		return
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		Version = info.Main.Version
	}
}
