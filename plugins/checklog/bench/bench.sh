#!/usr/bin/env bash
# check-log against grep -c on a generated log: wall time, the ratio to
# grep's, and peak RSS, side by side for each kind of pattern; then the
# cost of a run after 1 MiB was appended to a 10 GiB (sparse) file.
#
#   LOG_SIZE_MB=1024  size of the generated log in MiB (the default, 1 GiB;
#                     e.g. LOG_SIZE_MB=64 for a quick run)
#   RUNS=3            runs per case; the median time and the highest RSS
#                     are reported
#   BENCH_DIR=DIR     where the log and binaries go (default: a temporary
#                     directory, removed at the end)
#
# Both programs read the same file from the page cache (it is read once
# before timing). grep writes its count to a file, never to /dev/null:
# GNU grep stops at the first match when its output is /dev/null.
# check-log runs with --check-first --no-state, which reads the whole file
# on every run, and a timeout large enough not to cut the read short.
set -euo pipefail
cd "$(dirname "$0")/../../.."

size=${LOG_SIZE_MB:-1024}
runs=${RUNS:-3}
export LC_ALL=C LANG=C # as mackerel-agent runs plugins; grep is fastest so too

if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get install -y -qq time >/dev/null
	else
		echo "bench.sh: needs /usr/bin/time (Debian package \"time\")" >&2
		exit 1
	fi
fi

if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi

go build -o "$dir/check-log" ./plugins/cmd/check-log
go build -o "$dir/genlog" ./plugins/checklog/bench/genlog
log=$dir/app.log
"$dir/genlog" -size "$size" -o "$log"
cat "$log" >/dev/null

# measure CMD... runs CMD $runs times and prints "SECONDS MAXRSS_KIB" (the
# median wall time, the highest peak RSS); CMD's stdout is in $dir/out.
measure() {
	local i start end
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		/usr/bin/time -f "%M" -o "$dir/rss" "$@" >"$dir/out" 2>"$dir/err" || true
		end=$(date +%s%N)
		echo "$(((end - start) / 1000000)) $(tail -n1 "$dir/rss")"
	done | sort -n | awk -v n="$runs" '
		{ ms[NR] = $1; if ($2 > rss) rss = $2 }
		END { printf "%.3f %d\n", ms[int((n + 1) / 2)] / 1000, rss }'
}

# count reads the number from check-log's or grep's output in $dir/out.
count() {
	if grep -q warnings "$dir/out"; then
		sed -n 's/^LOG [A-Z]*: \([0-9]*\) warnings.*/\1/p' "$dir/out"
	else
		cat "$dir/out"
	fi
}

printf '%s MiB log, %d lines; median of %d runs; LC_ALL=C; %s\n\n' \
	"$size" "$(wc -l <"$log")" "$runs" "$(grep --version | head -1)"
printf '| case | grep | check-log | ratio | target | grep RSS | check-log RSS | matches |\n'
printf '|---|---|---|---|---|---|---|---|\n'
failed=0

# row NAME TARGET_RATIO GREP_ARGS -- CHECK_LOG_ARGS
row() {
	local name=$1 target=$2
	shift 2
	local gargs=() cargs=()
	while [ "$1" != -- ]; do
		gargs+=("$1")
		shift
	done
	shift
	cargs=("$@")

	read -r gt grss < <(measure grep "${gargs[@]}" "$log")
	local gcount
	gcount=$(count)
	read -r ct crss < <(measure "$dir/check-log" -f "$log" --check-first --no-state -t 600 "${cargs[@]}")
	local ccount
	ccount=$(count)
	local ratio verdict=ok
	ratio=$(awk -v c="$ct" -v g="$gt" 'BEGIN { printf "%.2f", (g > 0 ? c / g : 0) }')
	if [ "$target" != - ] && awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r > t) }'; then
		verdict="SLOW"
	fi
	if [ "$crss" -gt $((64 * 1024)) ]; then
		verdict="$verdict, RSS"
	fi
	if [ "$gcount" != "$ccount" ]; then
		verdict="$verdict, COUNT $ccount != $gcount"
	fi
	[ "$verdict" = ok ] || failed=1
	printf '| %s | %.2f s | %.2f s | %s× | %s | %d MiB | %d MiB | %s (%s) |\n' \
		"$name" "$gt" "$ct" "$ratio" "${target/#-/RSS only}" "$((grss / 1024))" "$((crss / 1024))" "$ccount" "$verdict"
}

row 'literal `ERROR`' 1.5 -c ERROR -- -p ERROR
row '`-i error`' 3 -ci error -- -i -p error
row '`ERROR\|FATAL`' 3 -cE 'ERROR|FATAL' -- -p 'ERROR|FATAL'
row '`-i error\|fatal`' 3 -ciE 'error|fatal' -- -i -p 'error|fatal'
row 'regexp `took [0-9]{5} ms`' - -cE 'took [0-9]{5} ms' -- -p 'took [0-9]{5} ms'
row '`-r ERROR`' - -c ERROR -- -r -p ERROR
row '`-r INFO` (millions of matches)' - -c INFO -- -r -p INFO

# A run after 1 MiB was appended to a 10 GiB file: the first run places
# the position at the end; the second reads only the new MiB.
big=$dir/big.log
rm -f "$big"
truncate -s 10G "$big"
printf '\n' >>"$big"
state=$dir/state
rm -rf "$state"
"$dir/check-log" -f "$big" -p ERROR -s "$state" >/dev/null || true
head -c $((1 << 20)) "$log" | sed '$d' >"$dir/mib"
cat "$dir/mib" >>"$big"
start=$(date +%s%N)
/usr/bin/time -f "%M" -o "$dir/rss" "$dir/check-log" -f "$big" -p ERROR -s "$state" >"$dir/out" || true
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
want=$(grep -c ERROR "$dir/mib" || true)
got=$(count)
verdict=ok
[ "$ms" -lt 100 ] || verdict=SLOW
[ "$got" = "$want" ] || verdict="$verdict, COUNT $got != $want"
[ "$verdict" = ok ] || failed=1
printf '\nAfter appending %d KiB to a 10 GiB file: %d ms, %d MiB RSS, %s matches (%s; target < 100 ms)\n' \
	"$(($(wc -c <"$dir/mib") / 1024))" "$ms" "$(($(tail -n1 "$dir/rss") / 1024))" "$got" "$verdict"
rm -f "$big"
exit $failed
