package testutil

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/odshare/odshare/"

// layers places every package of the module, tests aside, in the one-way flow docs/architecture.md
// describes: a package imports only packages of a lower layer. The emulator's packages form their own
// stack (emulatorLayers) and import nothing of the client's.
var layers = map[string]int{
	"cmd/odshare":       11,
	"internal/docgen":   11, // a program beside the binary: the man pages read the exit codes from app
	"internal/app":      10,
	"internal/cmd/root": 9,
	// commands
	"internal/cmd/authcmd": 8, "internal/cmd/configcmd": 8, "internal/cmd/encodeurl": 8,
	"internal/cmd/link": 8, "internal/cmd/share": 8, "internal/cmd/version": 8,
	"internal/cmdutil/cmdtest": 8, // test support: a Factory wired to the in-process emulator
	// the wiring of providers into the core
	"internal/cmdutil": 7,
	// providers: the sharing core's plug-ins
	"internal/provider/graph": 5, "internal/provider/box": 5,
	// transports
	"internal/graph": 4, "internal/box": 4,
	// shared HTTP and sign-in
	"internal/bearer": 3, "internal/auth": 3,
	"internal/graph/api": 2, "internal/safetext": 2, "internal/output": 2, "internal/progress": 2,
	// the sharing core's shared engines, over the core's types
	"internal/sharing/walk": 2, "internal/sharing/bulk": 3, "internal/sharing/download": 3,
	// leaves; the sharing core is one (it imports the standard library only)
	"internal/sharing": 1,
	"internal/httpx":   1, "internal/httpretry": 1, "internal/redact": 1, "internal/config": 1,
	"internal/iostreams": 1, "internal/build": 1, "internal/quickxor": 1,
	"internal/httpx/httpxtest": 1, "internal/testutil": 1, "internal/testutil/scripted": 1,
	// make bench's peer for listings: a minimal Go pager (stdlib only)
	"bench/pager": 1,
	// make bench's programs: the start-up timer and the hello-world it compares odshare with
	"bench/startup": 1, "bench/hello": 1,
	// make bench's start-up floor: the hello-world linking the libraries the project was told to use
	"bench/floor": 1,
	// make bench's peer for link audit: the naive "permissions of every item" walk (stdlib only)
	"bench/naiveaudit": 1,
}

var emulatorLayers = map[string]int{
	"cmd/odshare-emulator":       4,
	"internal/emulator/stack":    3,
	"internal/emulator":          2,
	"internal/emulator/box":      2,
	"internal/emulator/identity": 1,
	"internal/emulator/kit":      1,
}

// soleImporters are third-party modules only one package may import, so that each is used in one
// place and the rest of the code stays independent of it.
var soleImporters = map[string][]string{
	"github.com/AzureAD/microsoft-authentication-library-for-go": {"internal/auth"},
	"github.com/spf13/viper":                                     {"internal/config"},
}

// cobraUser reports whether pkg may import cobra: the command layer only.
func cobraUser(pkg string) bool {
	return pkg == "internal/app" || pkg == "internal/docgen" || pkg == "internal/cmdutil" ||
		strings.HasPrefix(pkg, "internal/cmd/") || strings.HasPrefix(pkg, "internal/cmdutil/")
}

// packageImports reads the imports of every package's non-test files, keyed by the package's path
// inside the module.
func packageImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "testdata" || strings.HasPrefix(n, ".") || n == "bin" || n == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(out[pkg], ip) {
				out[pkg] = append(out[pkg], ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// startupFloor is make bench's start-up floor (bench/floor), a program apart from the client: it
// links cobra, viper, MSAL, tablewriter and color, and calls none of them, to time what their package
// initialisers cost before any of odshare's code runs. The rules of who may import those libraries are
// the client's and do not apply to it.
const startupFloor = "bench/floor"

// TestImportsFlowOneWay checks the import rules of docs/architecture.md on the code as it is: every
// package has a layer and imports only lower ones; the emulator imports none of the client (and the
// client none of the emulator); MSAL and viper each have one importer; cobra stays in the command layer.
// A new package, or a new import across layers, fails here until this table and the document agree.
func TestImportsFlowOneWay(t *testing.T) {
	root := RepoRoot(t)
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.Contains(string(b), "module "+strings.TrimSuffix(module, "/")+"\n") {
		t.Fatalf("go.mod does not declare %s: %v", module, err)
	}
	pkgs := packageImports(t, root)
	if len(pkgs) < 20 {
		t.Fatalf("found only %d packages under %s", len(pkgs), root)
	}
	for pkg, imps := range pkgs {
		layer, client := layers[pkg]
		elayer, emu := emulatorLayers[pkg]
		if !client && !emu {
			t.Errorf("%s has no layer: place it in internal/testutil/imports_test.go and docs/architecture.md", pkg)
			continue
		}
		for _, ip := range imps {
			// the floor links the libraries only to time their initialisers (layer 1: nothing of the module)
			if pkg != startupFloor {
				for mod, allowed := range soleImporters {
					if (ip == mod || strings.HasPrefix(ip, mod+"/")) && !slices.Contains(allowed, pkg) {
						t.Errorf("%s imports %s, which only %v may import", pkg, ip, allowed)
					}
				}
				if (ip == "github.com/spf13/cobra" || strings.HasPrefix(ip, "github.com/spf13/cobra/")) && !cobraUser(pkg) {
					t.Errorf("%s imports cobra outside the command layer", pkg)
				}
			}
			dep, ok := strings.CutPrefix(ip, module)
			if !ok {
				continue
			}
			switch dl, dc := layers[dep]; {
			case emu && dc:
				t.Errorf("the emulator's %s imports the client's %s", pkg, dep)
			case emu:
				if emulatorLayers[dep] >= elayer {
					t.Errorf("%s (emulator layer %d) imports %s (layer %d): imports flow down", pkg, elayer, dep, emulatorLayers[dep])
				}
			case !dc && pkg != "internal/cmdutil/cmdtest":
				t.Errorf("the client's %s imports the emulator's %s", pkg, dep)
			case dc && dl >= layer:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports flow down", pkg, layer, dep, dl)
			}
		}
	}
	for pkg := range layers {
		if _, ok := pkgs[pkg]; !ok {
			t.Errorf("%s is in the layer table but not in the repository", pkg)
		}
	}
}

// coreRules are the sharing core's import rules (docs/architecture.md, "The sharing core"), beyond
// the layers: a package matching the prefix on the left imports nothing matching a prefix on the
// right. Commands talk only to the core; app classifies errors through the core's interfaces; only
// cmdutil wires providers in; the core and its engines know no provider; transports know no core;
// no provider imports another.
var coreRules = []struct {
	pkg    string
	forbid []string
	why    string
}{
	{"internal/cmd/", []string{"internal/graph", "internal/box", "internal/provider/"}, "commands talk to the sharing core only"},
	{"internal/app", []string{"internal/graph", "internal/box", "internal/provider/", "internal/bearer"}, "app classifies errors through sharing's interfaces"},
	{"internal/sharing", []string{"internal/graph", "internal/box", "internal/provider/", "internal/bearer", "internal/auth", "internal/cmd", "internal/output", "internal/config"}, "the core knows no provider"},
	{"internal/graph", []string{"internal/sharing", "internal/provider/", "internal/box"}, "a transport knows no core and no other transport"},
	{"internal/box", []string{"internal/sharing", "internal/provider/", "internal/graph"}, "a transport knows no core and no other transport"},
	{"internal/bearer", []string{"internal/sharing", "internal/provider/"}, "a transport knows no core"},
	{"internal/provider/graph", []string{"internal/provider/", "internal/box"}, "no provider imports another"},
	{"internal/provider/box", []string{"internal/provider/", "internal/graph"}, "no provider imports another"},
}

// TestCommandsUseTheSharingCore checks coreRules on the code as it is, and that only the wiring
// (internal/cmdutil) and its test support import a provider.
func TestCommandsUseTheSharingCore(t *testing.T) {
	pkgs := packageImports(t, RepoRoot(t))
	matches := func(pkg, prefix string) bool {
		if strings.HasSuffix(prefix, "/") {
			return strings.HasPrefix(pkg, prefix)
		}
		return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
	}
	checked := 0
	for pkg, imps := range pkgs {
		for _, ip := range imps {
			dep, ok := strings.CutPrefix(ip, module)
			if !ok {
				continue
			}
			for _, r := range coreRules {
				if !matches(pkg, r.pkg) || (r.pkg == "internal/provider/graph" || r.pkg == "internal/provider/box") && dep == r.pkg {
					continue
				}
				for _, f := range r.forbid {
					if matches(dep, f) && !(strings.HasPrefix(pkg, "internal/provider/") && matches(dep, pkg)) {
						t.Errorf("%s imports %s: %s", pkg, dep, r.why)
					}
				}
				checked++
			}
			if strings.HasPrefix(dep, "internal/provider/") && pkg != "internal/cmdutil" && !strings.HasPrefix(pkg, "internal/provider/") {
				t.Errorf("%s imports %s: only internal/cmdutil wires providers into the core", pkg, dep)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no import was checked against the core's rules")
	}
	for _, want := range []string{"internal/sharing", "internal/provider/graph", "internal/cmd/link"} {
		if _, ok := pkgs[want]; !ok {
			t.Errorf("%s is missing: the rules above check nothing for it", want)
		}
	}
}
