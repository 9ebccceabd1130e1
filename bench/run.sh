#!/usr/bin/env bash
# make bench: odshare's speed and memory targets, measured against the emulator on loopback.
# Results are printed and appended to bench/results.txt; docs/benchmarks.md records them.
#
#   1. 1,000 links with 20 ms added latency: (a) under a 200 requests/s throttle, odshare bulk
#      within 1.25x of the 5 s lower bound; (b) unthrottled, bulk >= 20x faster than a loop of
#      1,000 single `odshare link create` processes. Both: 0 lost, 0 duplicated.
#   2. share children of a 100,000-item folder with -o ndjson: peak RSS < 64 MB; time vs
#      pages x latency.
#   3. one link create with a ready token vs curl sending the same request: <= 1.5x curl.
#
# BENCH_LOOP=N shortens benchmark 1b's process loop to N processes (scaled to 1,000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
make -s build
bin="$root/bin"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

for tool in curl /usr/bin/time jq; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install curl time jq)" >&2; exit 1; }
done

# start_emulator NAME ARGS... : starts an emulator, sets $URL to its base URL.
start_emulator() {
	local name=$1; shift
	"$bin/odshare-emulator" --listen 127.0.0.1:0 --seed bench/fixture.yaml "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids+=($!)
	URL=
	for _ in $(seq 1 200); do
		URL=$(head -n1 "$tmp/$name.out" 2>/dev/null || true)
		[ -n "$URL" ] && break
		sleep 0.05
	done
	[ -n "$URL" ] || { cat "$tmp/$name.err" >&2; exit 1; }
	EMU=${URL%/v1.0}
	export ODSHARE_GRAPH_ENDPOINT="$URL"
}
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# Loopback only: until an emulator is started, odshare points at a closed loopback port, so a
# slip can never send traffic anywhere else.
export ODSHARE_ACCESS_TOKEN=bench-token ODSHARE_CONFIG_DIR="$tmp/config" ODSHARE_GRAPH_ENDPOINT=http://127.0.0.1:9/v1.0
unset ODSHARE_OUTPUT ODSHARE_CLIENT_SECRET
seq -f "/ToShare/file-%04g.txt" 1 1000 >"$tmp/items.txt"
out="$root/bench/results.txt"
{
echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores, $(go version | cut -d' ' -f3)"

# check_bulk FILE : every input exactly once, all 2xx, and the emulator created each link once.
check_bulk() {
	local lines uniq ok created
	lines=$(wc -l <"$1"); uniq=$(jq -r .item "$1" | sort -u | wc -l)
	ok=$(jq -r 'select(.status == 201 or .status == 200) | .item' "$1" | wc -l)
	created=$(curl -s "$EMU/_emulator/stats" | jq '.createLink.created')
	echo "  items out: $lines, distinct: $uniq, succeeded: $ok, links created by the emulator: $created"
	[ "$lines" = 1000 ] && [ "$uniq" = 1000 ] && [ "$ok" = 1000 ] && [ "$created" = 1000 ]
}

echo "1a. 1,000 links, 20 ms latency, throttle 200 req/s (lower bound 5.00 s; target <= 6.25 s)"
start_emulator 1a --fault latency=20ms --throttle-rps 200 --throttle-burst 20
t0=$(now)
"$bin/odshare" link create --from-file "$tmp/items.txt" --type view --scope anonymous -o ndjson >"$tmp/1a.ndjson"
t1=$(now)
printf '  odshare bulk: %.2f s (%.2fx the lower bound)\n' "$(elapsed "$t0" "$t1")" "$(echo "($t1 - $t0) / 5" | bc -l)"
check_bulk "$tmp/1a.ndjson" && echo "  0 lost, 0 duplicated"
echo "  throttled sub-requests: $(curl -s "$EMU/_emulator/stats" | jq .throttled)"

echo "1b. 1,000 links, 20 ms latency, no throttle: bulk vs a loop of single processes (target >= 20x)"
start_emulator 1b --fault latency=20ms
t0=$(now)
"$bin/odshare" link create --from-file "$tmp/items.txt" --type view --scope anonymous -o ndjson >"$tmp/1b.ndjson"
t1=$(now)
bulk=$(elapsed "$t0" "$t1")
printf '  odshare bulk: %.2f s\n' "$bulk"
check_bulk "$tmp/1b.ndjson" && echo "  0 lost, 0 duplicated"
loop=${BENCH_LOOP:-1000}
start_emulator 1b-loop --fault latency=20ms
t0=$(now)
head -n "$loop" "$tmp/items.txt" | while read -r item; do
	"$bin/odshare" link create "$item" --type view --scope anonymous -o json >/dev/null
done
t1=$(now)
single=$(echo "($t1 - $t0) * 1000 / $loop" | bc -l)
printf '  loop of %d single processes: %.2f s (scaled to 1,000: %.2f s)\n' "$loop" "$(elapsed "$t0" "$t1")" "$single"
printf '  speed-up: %.1fx\n' "$(echo "$single / $bulk" | bc -l)"

echo "2. share children of 100,000 items, -o ndjson, 20 ms latency"
start_emulator 2 --fault latency=20ms
for top in 0 999; do
	args=(); [ "$top" != 0 ] && args=(--top "$top")
	/usr/bin/time -f '%M %e' -o "$tmp/2.time" "$bin/odshare" share children 'https://1drv.ms/f/s!BenchBigFolder' -o ndjson "${args[@]}" >"$tmp/2.ndjson"
	read -r rss secs <"$tmp/2.time"
	pagesize=$([ "$top" = 0 ] && echo 200 || echo "$top")
	pages=$(( (100000 + pagesize - 1) / pagesize ))
	printf '  page size %d: %d items, %d pages, %.2f s (pages x latency = %.2f s), peak RSS %.1f MB (target < 64 MB)\n' \
		"$pagesize" "$(wc -l <"$tmp/2.ndjson")" "$pages" "$secs" "$(echo "$pages * 0.020" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
done

echo "3. one link create with a ready token vs curl (target <= 1.5x curl)"
start_emulator 3
body='{"type":"view","scope":"anonymous"}'
runs=50
t0=$(now)
for _ in $(seq 1 $runs); do
	curl -sS -o /dev/null -X POST -H "Authorization: Bearer bench-token" -H "Content-Type: application/json" \
		--data "$body" "$URL/me/drive/root:/ToShare/file-0001.txt:/createLink"
done
t1=$(now)
curl_ms=$(echo "($t1 - $t0) * 1000 / $runs" | bc -l)
t0=$(now)
for _ in $(seq 1 $runs); do
	"$bin/odshare" link create /ToShare/file-0001.txt --type view --scope anonymous -o json >/dev/null
done
t1=$(now)
ods_ms=$(echo "($t1 - $t0) * 1000 / $runs" | bc -l)
printf '  curl: %.1f ms, odshare: %.1f ms per run (%d runs each): %.2fx\n' "$curl_ms" "$ods_ms" "$runs" "$(echo "$ods_ms / $curl_ms" | bc -l)"

echo "4. Go benchmarks"
go test -run '^$' -bench . -benchmem -benchtime 200ms ./internal/... 2>&1 | grep -E '^(Benchmark|ok|FAIL)'
echo
} | tee -a "$out"
