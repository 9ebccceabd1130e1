#!/usr/bin/env bash
# make demo: start the Graph emulator on loopback, create sharing links, read the share and list
# the shared folder — the main job of odshare, against a local stand-in for Microsoft Graph.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/bin:$PATH"
tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

odshare-emulator --listen 127.0.0.1:0 --tls --auto-approve --ca-out "$tmp/ca.pem" >"$tmp/emulator.out" 2>"$tmp/emulator.err" &
pid=$!
url=
for _ in $(seq 1 100); do
	url=$(head -n1 "$tmp/emulator.out" 2>/dev/null || true)
	[ -n "$url" ] && break
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "demo: the emulator did not start:" >&2
	cat "$tmp/emulator.err" >&2
	exit 1
fi

authority=$(sed -n 's/^authority: //p' "$tmp/emulator.err")
unset ODSHARE_ACCESS_TOKEN ODSHARE_CLIENT_SECRET
export ODSHARE_GRAPH_ENDPOINT="$url" ODSHARE_AUTHORITY_HOST="$authority" ODSHARE_CA_FILE="$tmp/ca.pem"
export ODSHARE_CONFIG_DIR="$tmp/config"
export ODSHARE_FORCE_TTY=1 # show tables even when make's output is piped

step() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

echo "Graph emulator at $url, sign-in at $authority"
step odshare auth login
step odshare auth status
step odshare link create "/Reports/Q3 #1 100%.xlsx" --type view --scope anonymous --expires 7d
step odshare link create "/Reports/Q3 #1 100%.xlsx" --type view --scope anonymous --expires 7d
step odshare link create /Reports --type edit --scope anonymous
folder=$(odshare link create /Reports --type edit --scope anonymous --jq .link.webUrl)
step odshare share get "$folder" --item
step odshare share children "$folder"
step odshare link list /Reports
step odshare link create /Photos /Notes.txt "/Reports/Summary.pdf" --type view --scope anonymous
step odshare encode-url "$folder"
step odshare auth logout
echo
echo "Done. The same commands work against Microsoft Graph: run 'odshare auth login' without the"
echo "ODSHARE_* emulator settings."
