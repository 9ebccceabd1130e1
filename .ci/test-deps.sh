#!/usr/bin/env bash
# Install what the tests need (the list in .ci/test-deps) when it is missing: with apt-get as root,
# or, under CI=true, through `sudo -n`. Anywhere else it only says what is missing; the tests that
# need it then skip (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=() pkgs=()
while read -r cmd pkg _; do
	case "$cmd" in '' | '#'*) continue ;; esac
	command -v "$cmd" >/dev/null 2>&1 && continue
	missing+=("$cmd")
	case " ${pkgs[*]-} " in *" $pkg "*) ;; *) pkgs+=("$pkg") ;; esac
done <.ci/test-deps
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" != 0 ]; then
	if [ "${CI:-}" = true ] && command -v sudo >/dev/null 2>&1; then
		sudo=(sudo -n)
	else
		sudo=(none)
	fi
fi
if [ "${sudo[*]-}" = none ] || ! command -v apt-get >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "test-deps: missing ${missing[*]} (Debian packages: ${pkgs[*]}) and no way to install them:" \
			"the tests that need them fail under CI=true" >&2
		exit 1
	fi
	echo "test-deps: missing ${missing[*]} (Debian packages: ${pkgs[*]}); the tests that need them will skip." \
		"Install them, or run 'make test-deps' as root." >&2
	exit 0
fi

echo "test-deps: installing ${pkgs[*]} (for ${missing[*]})" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }; then
	echo "test-deps: apt-get could not install ${pkgs[*]}" >&2
	[ "${CI:-}" = true ] && exit 1
	echo "test-deps: the tests that need ${missing[*]} will skip" >&2
fi
