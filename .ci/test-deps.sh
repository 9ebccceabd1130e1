#!/usr/bin/env bash
# Install what the tests need when it is missing: the commands in .ci/test-deps (with apt-get as
# root, or, under CI=true, through `sudo -n`), then the npm packages locked in the folders of
# .ci/test-npm (`npm ci` into a cache outside the tree), then golangci-lint (go install, pinned by
# the Makefile, into a cache outside the tree). Anywhere else it only says what is
# missing; the tests that need it then skip (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

# problem reports what could not be installed: fatal under CI=true, a warning elsewhere.
problem() {
	if [ "${CI:-}" = true ]; then
		echo "test-deps: $1: the tests that need it fail under CI=true" >&2
		exit 1
	fi
	echo "test-deps: $1; the tests that need it will skip. $2" >&2
}

debian_packages() {
	local missing=() pkgs=() sudo=()
	while read -r cmd pkg _; do
		case "$cmd" in '' | '#'*) continue ;; esac
		command -v "$cmd" >/dev/null 2>&1 && continue
		missing+=("$cmd")
		case " ${pkgs[*]-} " in *" $pkg "*) ;; *) pkgs+=("$pkg") ;; esac
	done <.ci/test-deps
	[ ${#missing[@]} -eq 0 ] && return 0

	if [ "$(id -u)" != 0 ]; then
		if [ "${CI:-}" = true ] && command -v sudo >/dev/null 2>&1; then
			sudo=(sudo -n)
		else
			sudo=(none)
		fi
	fi
	if [ "${sudo[*]-}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
		problem "missing ${missing[*]} (Debian packages: ${pkgs[*]}) and no way to install them" \
			"Install them, or run 'make test-deps' as root."
		return 0
	fi

	echo "test-deps: installing ${pkgs[*]} (for ${missing[*]})" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }; then
		problem "apt-get could not install ${pkgs[*]} (for ${missing[*]})" ""
	fi
}

# npm_packages runs `npm ci` for each folder of .ci/test-npm whose lockfile is not installed yet:
# into $cache/<first 16 hex digits of the lockfile's sha256>, marked complete by .installed
# (internal/testutil.NodeModules looks there). Install scripts are not run.
npm_packages() {
	local cache dir key inst tmp
	cache=${ODSHARE_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odshare/npm}
	while read -r dir _; do
		case "$dir" in '' | '#'*) continue ;; esac
		if command -v sha256sum >/dev/null 2>&1; then
			key=$(sha256sum "$dir/package-lock.json" | cut -c1-16)
		else
			key=$(shasum -a 256 "$dir/package-lock.json" | cut -c1-16)
		fi
		inst="$cache/$key"
		[ -e "$inst/.installed" ] && continue
		if ! command -v npm >/dev/null 2>&1; then
			problem "npm missing, so the npm packages of $dir are not installed" "Install npm (Debian package npm)."
			continue
		fi
		echo "test-deps: npm ci for $dir into $inst" >&2
		tmp="$inst.tmp.$$"
		rm -rf "$tmp"
		mkdir -p "$tmp"
		cp "$dir/package.json" "$dir/package-lock.json" "$tmp/"
		if (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
			rm -f "$tmp/npm.log"
			touch "$tmp/.installed"
			rm -rf "$inst"
			mv "$tmp" "$inst"
		else
			grep -m 3 'npm error' "$tmp/npm.log" >&2 || true
			rm -rf "$tmp"
			problem "npm ci failed for $dir (is the npm registry reachable?)" "Run 'make test-deps' again when it is."
		fi
	done <.ci/test-npm
}

# go_tools installs golangci-lint at the version the Makefile pins ($GOLANGCI_LINT_VERSION) where
# the Makefile looks for it ($GOLANGCI_LINT: a folder per version in the tools cache), with go
# install, unless it is there already. It needs the Go module proxy (or a module cache holding it).
go_tools() {
	local bin=${GOLANGCI_LINT:-} ver=${GOLANGCI_LINT_VERSION:-} tmp
	[ -n "$bin" ] && [ -n "$ver" ] || return 0 # run outside make: nothing pinned
	[ -x "$bin" ] && return 0
	if ! command -v go >/dev/null 2>&1; then
		problem "go missing, so golangci-lint $ver is not installed" "Install Go."
		return 0
	fi
	echo "test-deps: go install golangci-lint $ver into $(dirname "$bin")" >&2
	tmp="$(dirname "$bin").tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	if GOBIN="$tmp" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$ver"; then
		rm -rf "$(dirname "$bin")"
		mv "$tmp" "$(dirname "$bin")"
	else
		rm -rf "$tmp"
		problem "go install could not build golangci-lint $ver (is the Go module proxy reachable?)" "Run 'make test-deps' again when it is."
	fi
}

debian_packages
npm_packages
go_tools
