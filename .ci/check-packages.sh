#!/usr/bin/env bash
# make packages: check what GoReleaser built into dist/ (goreleaser release --snapshot --clean).
# The .deb is installed with dpkg into a throwaway root (dpkg --root: its own database, nothing of
# this machine's touched), its files checked, its odshare run, and removed again; the .rpm and the
# .apk have their file lists checked (rpm when it is installed; an .apk is gzipped tar). Then the
# Homebrew formula and the Scoop manifest point at archives of this release with their checksums,
# every binary has its SBOM, and checksums.txt verifies.
set -euo pipefail
dist=${1:-dist}
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
want=(
	./usr/bin/odshare
	./usr/bin/odshare-emulator
	./usr/share/man/man1/odshare.1
	./usr/share/man/man1/odshare-link-create.1
	./usr/share/bash-completion/completions/odshare
	./usr/share/fish/vendor_completions.d/odshare.fish
	./usr/share/doc/odshare/README.md
)
fail() { echo "check-packages: $*" >&2; exit 1; }
has() { grep -qxF "$2" <<<"$1" || fail "$3 lacks $2"; }

deb=$(ls "$dist"/odshare_*_"$arch".deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no odshare_*_$arch.deb in $dist (run goreleaser release --snapshot --clean first)"
list=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in "${want[@]}" ./usr/share/zsh/vendor-completions/_odshare; do has "$list" "$f" "$deb"; done
grep -q site-functions <<<"$list" && fail "$deb puts zsh completion in site-functions, not Debian's vendor-completions"
man=$(grep -c '^./usr/share/man/man1/.*\.1$' <<<"$list")
[ "$man" = "$(ls docs/man/*.1 | wc -l)" ] || fail "$deb has $man man pages, docs/man $(ls docs/man/*.1 | wc -l)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --log=/dev/null --force-script-chrootless -i "$deb" >/dev/null
[ "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}' odshare)" = "install ok installed" ] || fail "dpkg did not install odshare"
"$root/usr/bin/odshare" version | grep -q '^odshare version ' || fail "the installed odshare does not run"
emu=$("$root/usr/bin/odshare-emulator" -h) # -h prints the usage on stdout and exits 0
grep -q '^Usage: odshare-emulator' <<<"$emu" || fail "the installed odshare-emulator does not run"
[ "$(stat -c %a "$root/usr/share/man/man1/odshare.1")" = 644 ] || fail "man page mode"
dpkg --root="$root" --log=/dev/null -r odshare >/dev/null
[ ! -e "$root/usr/bin/odshare" ] || fail "dpkg -r left /usr/bin/odshare"
echo "ok: $deb installs with dpkg into a throwaway root: $(wc -l <<<"$list") entries, $man man pages; odshare runs; it removes cleanly"

rpm=$(ls "$dist"/odshare-*.x86_64.rpm "$dist"/odshare-*."$(uname -m)".rpm 2>/dev/null | head -n1 || true)
if [ -n "$rpm" ] && command -v rpm >/dev/null; then
	list=$(rpm -qlp "$rpm" 2>/dev/null | sed 's|^|.|')
	for f in "${want[@]}" ./usr/share/zsh/site-functions/_odshare; do has "$list" "$f" "$rpm"; done
	echo "ok: $rpm file list"
elif [ -n "$rpm" ]; then
	echo "skipped: $rpm (rpm is not installed: apt-get install rpm)"
fi
apk=$(ls "$dist"/odshare_*_x86_64.apk "$dist"/odshare_*_"$(uname -m)".apk 2>/dev/null | head -n1 || true)
if [ -n "$apk" ]; then
	list=$(tar -tzf "$apk" 2>/dev/null | sed 's|^|./|; s|^\./\./|./|')
	for f in "${want[@]}" ./usr/share/zsh/site-functions/_odshare; do has "$list" "$f" "$apk"; done
	echo "ok: $apk file list"
fi

# The Homebrew formula and the Scoop manifest: written into dist/, naming this release's archives
# with the SHA-256 checksums.txt gives them.
sums="$dist/checksums.txt"
[ -s "$sums" ] || fail "no $sums"
(cd "$dist" && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not verify"
formula="$dist/homebrew/Formula/odshare.rb"
[ -s "$formula" ] || fail "no Homebrew formula $formula"
for a in darwin_amd64.tar.gz darwin_arm64.tar.gz linux_amd64.tar.gz linux_arm64.tar.gz; do
	line=$(grep "_$a\$" "$sums") || fail "checksums.txt lacks the $a archive"
	grep -qF "${line%% *}" "$formula" || fail "$formula lacks the checksum of ${line##* }"
	grep -qF "/${line##* }\"" "$formula" || fail "$formula lacks the url of ${line##* }"
done
for w in 'bin.install "odshare", "odshare-emulator"' 'man1.install' 'bash_completion.install' 'zsh_completion.install' 'fish_completion.install'; do
	grep -qF "$w" "$formula" || fail "$formula lacks $w"
done
manifest="$dist/scoop/odshare.json"
[ -s "$manifest" ] || fail "no Scoop manifest $manifest"
python3 - "$manifest" "$sums" <<'PY' || fail "$manifest does not match the Windows archives"
import json, sys
m = json.load(open(sys.argv[1]))
sums = dict(reversed(l.split()) for l in open(sys.argv[2]))
for arch, goarch in (("64bit", "amd64"), ("arm64", "arm64")):
    a = m["architecture"][arch]
    name = a["url"].rsplit("/", 1)[1]
    assert name.endswith("_windows_%s.zip" % goarch), name
    assert sums[name] == a["hash"], (name, a["hash"])
    assert sorted(a["bin"]) == ["odshare-emulator.exe", "odshare.exe"], a["bin"]
PY
echo "ok: $formula and $manifest name this release's archives and their checksums; checksums.txt verifies"

# An SBOM per binary: CycloneDX, naming exactly the modules `go version -m` reads from the binary.
n=0
for b in "$dist"/odshare_*_v*/odshare* "$dist"/odshare-emulator_*_v*/odshare-emulator*; do
	bin=$(basename "$b" .exe)
	dir=$(basename "$(dirname "$b")") # odshare_linux_amd64_v1
	osarch=${dir#"$bin"_}
	osarch=${osarch%_v*}
	sbom=$(ls "$dist"/"$bin"_*_"$osarch".cdx.json 2>/dev/null | head -n1)
	[ -n "$sbom" ] || fail "no SBOM for $b"
	deps=$(go version -m "$b" | awk '$1 == "dep" {print $2 "@" $3}')
	python3 - "$sbom" "$deps" <<'PY' || fail "$sbom does not list the modules compiled into $b"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bomFormat"] == "CycloneDX", d["bomFormat"]
assert d["metadata"]["component"]["name"] == "github.com/odshare/odshare", d["metadata"]["component"]
got = sorted("%s@%s" % (c["name"], c["version"]) for c in d.get("components", []))
want = sorted(sys.argv[2].split())
assert got == want, (set(got) ^ set(want))
PY
	n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "only $n binaries with SBOMs"
grep -q '\.cdx\.json$' "$sums" || fail "checksums.txt does not cover the SBOMs"
echo "ok: $n binaries, each with a CycloneDX SBOM"
