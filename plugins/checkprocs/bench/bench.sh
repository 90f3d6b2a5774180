#!/usr/bin/env bash
# check-procs against pgrep -c with 5,000 extra processes running: the
# time of one run of each, side by side, and the ratio; then the Go
# benchmarks of the /proc scan under the same load. Linux only.
#
#   EXTRA=5000   extra processes to start (sleep, each living at most
#                LIFE seconds, all killed when the script ends)
#   LIFE=900     their lifetime bound, in seconds
#   RUNS=50      timed runs per command (after 5 warm-up runs)
#
# Every case is checked first: both programs must count the same number
# of processes. Times come from hyperfine when it is installed (Debian
# package "hyperfine"), else from repeated runs timed here; both report
# the median wall time of a whole run, process start included.
set -euo pipefail
cd "$(dirname "$0")/../../.."

extra=${EXTRA:-5000}
life=${LIFE:-900}
runs=${RUNS:-50}
export LC_ALL=C LANG=C

if [ "$(uname -s)" != Linux ]; then
	echo "bench.sh: Linux only (it compares the /proc reader with pgrep)" >&2
	exit 1
fi

dir=$(mktemp -d)
pids=()
cleanup() {
	if [ "${#pids[@]}" -gt 0 ]; then
		kill "${pids[@]}" 2>/dev/null || true
		wait 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CGO_ENABLED=0 go build -trimpath -o "$dir/check-procs" ./plugins/cmd/check-procs

# The daemons to count: three sleeps that call themselves
# bench-target-daemon, among $extra plain ones.
for _ in 1 2 3; do
	bash -c "exec -a bench-target-daemon sleep $life" &
	pids+=($!)
done
for ((i = 0; i < extra; i++)); do
	sleep "$life" &
	pids+=($!)
done
sleep 1
total=$(find /proc -maxdepth 1 -name "[0-9]*" | wc -l)
echo "processes running: $total ($extra extra)"
echo

# Each case: a name, the pgrep command, the check-procs command.
cases=(
	"pattern|pgrep -c -f bench-target-daemon|$dir/check-procs -p bench-target-daemon"
	"pattern and user|pgrep -c -f -u root bench-target-daemon|$dir/check-procs -p bench-target-daemon -u root"
	"name|pgrep -c -x sleep|$dir/check-procs -n sleep"
)

# median_ms CMD... runs CMD $runs times and prints its median wall time
# in milliseconds.
median_ms() {
	local i start end
	for ((i = 0; i < 5; i++)); do "$@" >/dev/null || true; done
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null || true
		end=$(date +%s%N)
		echo $(((end - start) / 1000))
	done | sort -n | awk -v n="$runs" '{ us[NR] = $1 } END { printf "%.2f\n", us[int((n + 1) / 2)] / 1000 }'
}

printf '%-18s %10s %12s %7s\n' case "pgrep ms" "check-procs" ratio
for c in "${cases[@]}"; do
	IFS='|' read -r name pg cp <<<"$c"
	want=$($pg)
	got=$($cp | head -n1)
	if ! grep -q "PROCS OK: $want process" <<<"$got"; then
		echo "bench.sh: $name: pgrep counts $want, check-procs says: $got" >&2
		exit 1
	fi
	if command -v hyperfine >/dev/null; then
		if ! hyperfine -N --style none --warmup 5 --runs "$runs" --export-csv "$dir/t.csv" "$pg" "$cp" >/dev/null 2>"$dir/hyperfine.err"; then
			cat "$dir/hyperfine.err" >&2
			exit 1
		fi
		read -r tp tc < <(awk -F, 'NR > 1 { printf "%.2f ", $4 * 1000 } END { print "" }' "$dir/t.csv")
	else
		# shellcheck disable=SC2086 # the commands are words on purpose
		tp=$(median_ms $pg)
		# shellcheck disable=SC2086
		tc=$(median_ms $cp)
	fi
	printf '%-18s %10s %12s %7s\n' "$name" "$tp" "$tc" "$(awk -v a="$tc" -v b="$tp" 'BEGIN { printf "%.2f", a / b }')"
done
echo "(median wall time of one run, in ms; ratio = check-procs / pgrep; target <= 2)"
echo "load average during the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo

echo "Go benchmark of the /proc scan (list + every command line; list + every fact):"
go test -run '^$' -bench 'Scan' -benchtime 20x ./plugins/checkprocs/proctable | grep '^Benchmark'
