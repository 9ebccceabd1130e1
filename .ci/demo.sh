#!/usr/bin/env bash
# make demo: start the emulator on loopback, create sharing links, read the share, list the shared
# folder and audit who can see what — the main job of odshare, against local stand-ins for
# Microsoft Graph and Box.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/bin:$PATH"
# The emulator goes to the background and prints what this shell needs, a config directory of
# its own included, so the demo never touches ~/.config/odshare. It stops by itself after 10
# minutes if the trap below does not run.
eval "$(odshare-emulator --listen 127.0.0.1:0 --tls --auto-approve --exit-after 10m --print-env)"
trap 'kill "$ODSHARE_EMULATOR_PID" 2>/dev/null || true' EXIT
url=$ODSHARE_GRAPH_ENDPOINT authority=$ODSHARE_AUTHORITY_HOST
# Show tables even when make's output is piped, at the terminal's width (80 when there is none).
export ODSHARE_FORCE_TTY=$( (tput cols 2>/dev/null || echo 1) | tr -dc 0-9)

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
step odshare link audit /
# What was shared, on disk, verified against Graph's hash (a folder link brings the whole tree).
dl=$(mktemp -d)
trap 'kill "$ODSHARE_EMULATOR_PID" 2>/dev/null || true; rm -rf "$dl"' EXIT
file=$(odshare link create /Reports/Summary.pdf --type view --scope anonymous --jq .link.webUrl)
step odshare share download "$file" --dir "$dl"
step odshare encode-url "$folder"
step odshare auth logout

# Box: the same verbs on Box items, signed in with the stand-in's developer token for Ada.
echo
echo "Box stand-in at $ODSHARE_BOX_API_URL"
export ODSHARE_BOX_ACCESS_TOKEN=AdaDeveloperToken000000000000001
step odshare link create "box:/Reports/Budget 2025.xlsx" --scope organization --expires 7d
step odshare share children https://northwind.app.box.com/s/reportsdemolink00000000000000001
step odshare link audit box:/
step odshare share download 'box:/Reports/Q3 report.pdf' -O "$dl/q3.pdf"
echo
echo "Done. The same commands work against Microsoft Graph: run 'odshare auth login' without the"
echo "ODSHARE_* emulator settings."
