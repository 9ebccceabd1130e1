package testutil

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yaml this test reads.
type goreleaserConfig struct {
	Builds []struct {
		ID     string   `yaml:"id"`
		Main   string   `yaml:"main"`
		Binary string   `yaml:"binary"`
		Env    []string `yaml:"env"`
	} `yaml:"builds"`
	Archives []struct {
		IDs   []string `yaml:"ids"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	NFPMs []struct {
		IDs      []string `yaml:"ids"`
		Formats  []string `yaml:"formats"`
		Bindir   string   `yaml:"bindir"`
		Contents []struct {
			Src      string `yaml:"src"`
			Dst      string `yaml:"dst"`
			Packager string `yaml:"packager"`
		} `yaml:"contents"`
	} `yaml:"nfpms"`
	Release struct {
		ExtraFiles []struct {
			Glob string `yaml:"glob"`
		} `yaml:"extra_files"`
	} `yaml:"release"`
	Brews []struct {
		Name       string   `yaml:"name"`
		Directory  string   `yaml:"directory"`
		IDs        []string `yaml:"ids"`
		Install    string   `yaml:"install"`
		SkipUpload any      `yaml:"skip_upload"`
	} `yaml:"brews"`
	Scoops []struct {
		Name       string   `yaml:"name"`
		Directory  string   `yaml:"directory"`
		IDs        []string `yaml:"ids"`
		SkipUpload any      `yaml:"skip_upload"`
	} `yaml:"scoops"`
	SBOMs []struct {
		Artifacts string   `yaml:"artifacts"`
		Cmd       string   `yaml:"cmd"`
		Args      []string `yaml:"args"`
	} `yaml:"sboms"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
}

// TestReleasePackaging checks .goreleaser.yaml against the repository (goreleaser itself is not
// part of make test: it takes minutes to install): every file a package or archive takes exists;
// the Linux packages carry both binaries, every man page and each shell's completion where that
// distribution's shell looks; the Homebrew formula and Scoop manifest are written into the release,
// not pushed, and attached to the release; and the release has an SBOM per binary and checksums. The built packages themselves
// are checked by `make packages` (.ci/check-packages.sh: the .deb installed with dpkg into a
// throwaway root).
func TestReleasePackaging(t *testing.T) {
	root := RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	matches := func(pattern string) []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		return m
	}
	var buildIDs []string
	for _, bd := range cfg.Builds {
		buildIDs = append(buildIDs, bd.ID)
		if _, err := os.Stat(filepath.Join(root, bd.Main)); err != nil {
			t.Errorf("build %s: main %s: %v", bd.ID, bd.Main, err)
		}
		if !slices.Contains(bd.Env, "CGO_ENABLED=0") {
			t.Errorf("build %s is not static (CGO_ENABLED=0), unlike make build", bd.ID)
		}
	}
	for _, want := range []string{"odshare", "odshare-emulator"} {
		if !slices.Contains(buildIDs, want) {
			t.Errorf("no build %s", want)
		}
	}
	for _, a := range cfg.Archives {
		for _, f := range a.Files {
			if len(matches(f)) == 0 {
				t.Errorf("archive file %s matches nothing", f)
			}
		}
	}

	manPages := matches("docs/man/*.1")
	if len(manPages) < 10 {
		t.Fatalf("only %d man pages in docs/man", len(manPages))
	}
	if len(cfg.NFPMs) == 0 {
		t.Fatal("no nfpms: no Linux packages")
	}
	for _, n := range cfg.NFPMs {
		for _, f := range []string{"deb", "rpm", "apk"} {
			if !slices.Contains(n.Formats, f) {
				t.Errorf("nfpm formats %v lack %s", n.Formats, f)
			}
		}
		if !slices.Equal(n.IDs, buildIDs) {
			t.Errorf("nfpm ids %v, want both binaries %v", n.IDs, buildIDs)
		}
		if n.Bindir != "/usr/bin" {
			t.Errorf("nfpm bindir %q", n.Bindir)
		}
		// installed[packager][dst] = src; "" is every packager.
		installed := map[string]map[string]string{}
		for _, c := range n.Contents {
			if len(matches(c.Src)) == 0 {
				t.Errorf("nfpm content %s matches nothing in the repository", c.Src)
			}
			if installed[c.Packager] == nil {
				installed[c.Packager] = map[string]string{}
			}
			installed[c.Packager][c.Dst] = c.Src
		}
		for _, pkgr := range []string{"deb", "rpm", "apk"} {
			at := func(dst string) string {
				if src, ok := installed[pkgr][dst]; ok {
					return src
				}
				return installed[""][dst]
			}
			zsh, notZsh := "/usr/share/zsh/site-functions/_odshare", "/usr/share/zsh/vendor-completions/_odshare"
			if pkgr == "deb" {
				zsh, notZsh = notZsh, zsh // Debian's zsh reads vendor-completions
			}
			if got := at(notZsh); got != "" {
				t.Errorf("%s: installs %s as %s too", pkgr, got, notZsh)
			}
			for dst, src := range map[string]string{
				"/usr/share/bash-completion/completions/odshare": "completions/odshare.bash",
				zsh: "completions/_odshare",
				"/usr/share/fish/vendor_completions.d/odshare.fish": "completions/odshare.fish",
				"/usr/share/man/man1/":                              "docs/man/*.1",
			} {
				if got := at(dst); got != src {
					t.Errorf("%s: %s comes from %q, want %s", pkgr, dst, got, src)
				}
			}
		}
	}

	if len(cfg.Brews) == 0 || len(cfg.Scoops) == 0 {
		t.Fatalf("want a Homebrew formula and a Scoop manifest: %d brews, %d scoops", len(cfg.Brews), len(cfg.Scoops))
	}
	archived := func(path string) bool {
		for _, a := range cfg.Archives {
			for _, f := range a.Files {
				if ok, _ := filepath.Match(f, path); ok || f == path {
					return true
				}
			}
		}
		return false
	}
	// The formula and the manifest are attached to the release: release.extra_files names the paths
	// GoReleaser writes them to (dist/homebrew/<directory>/<name>.rb, dist/scoop/<directory>/<name>.json).
	attached := func(path string) bool {
		for _, f := range cfg.Release.ExtraFiles {
			if ok, _ := filepath.Match(f.Glob, path); ok {
				return true
			}
		}
		return false
	}
	for _, br := range cfg.Brews {
		if p := filepath.Join("dist/homebrew", br.Directory, br.Name+".rb"); !attached(p) {
			t.Errorf("the formula %s is not attached to the release (release.extra_files)", p)
		}
		if br.SkipUpload != true {
			t.Errorf("brew skip_upload = %v: the formula would be pushed to a tap", br.SkipUpload)
		}
		for _, want := range []string{`bin.install "odshare", "odshare-emulator"`, `man1.install Dir["docs/man/*.1"]`,
			`bash_completion.install "completions/odshare.bash" => "odshare"`, `zsh_completion.install "completions/_odshare"`,
			`fish_completion.install "completions/odshare.fish"`} {
			if !strings.Contains(br.Install, want) {
				t.Errorf("formula install lacks %s", want)
			}
		}
		for _, p := range []string{"docs/man/odshare.1", "completions/odshare.bash", "completions/_odshare", "completions/odshare.fish"} {
			if !archived(p) {
				t.Errorf("the formula installs %s, which no archive holds", p)
			}
		}
	}
	for _, s := range cfg.Scoops {
		if p := filepath.Join("dist/scoop", s.Directory, s.Name+".json"); !attached(p) {
			t.Errorf("the Scoop manifest %s is not attached to the release (release.extra_files)", p)
		}
		if s.SkipUpload != true {
			t.Errorf("scoop skip_upload = %v: it would be pushed to a bucket", s.SkipUpload)
		}
	}
	if len(cfg.SBOMs) == 0 || cfg.SBOMs[0].Artifacts != "binary" {
		t.Errorf("want an SBOM per binary: %+v", cfg.SBOMs)
	}
	for _, s := range cfg.SBOMs {
		if s.Cmd == "go" && !slices.ContainsFunc(s.Args, func(a string) bool { return strings.Contains(a, "@v") }) {
			t.Errorf("sbom runs an unpinned tool: %v", s.Args)
		}
		// cyclonedx-gomod bin reads the binary itself: the SBOM is what was built, for its OS and arch.
		if !slices.Contains(s.Args, "$artifact") || !slices.Contains(s.Args, "$document") {
			t.Errorf("sbom does not read $artifact and write $document: %v", s.Args)
		}
	}
	if cfg.Checksum.NameTemplate == "" {
		t.Error("no checksums")
	}
}
