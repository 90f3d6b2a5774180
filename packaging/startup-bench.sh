#!/usr/bin/env bash
# startup-bench.sh measures what an agent pays to start a plugin every
# minute: the size of each binary, and the wall time and peak memory of
# "--help" and of a quick check run, for a single binary and for teko
# through a symlink.
#
#   packaging/startup-bench.sh            # needs hyperfine and /usr/bin/time
#   RUNS=200 packaging/startup-bench.sh
#
# The binaries are built as releases are (static, -trimpath, -s -w).
# Install the tools with: apt-get install -y hyperfine time
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-100}
for tool in hyperfine /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "startup-bench.sh: $tool is missing (apt-get install -y hyperfine time)" >&2; exit 1; }
done

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
build "$(go env GOOS)" "$(go env GOARCH)" "$bin" ./plugins/cmd/... ./examples/...
mkdir "$bin/multi"
for name in "${PLUGINS[@]}"; do ln -s ../teko "$bin/multi/$name"; done

echo "## Binary sizes (bytes, static, stripped)"
for f in "$bin"/*; do
	[ -f "$f" ] && printf '%-20s %10d\n' "$(basename "$f")" "$(stat -c %s "$f")"
done

# A quick check that finds nothing wrong: the simplest real check plugin
# (the example check-file-age), and check-procs when it is there.
touch "$bin/heartbeat"
declare -a cases=(
	"check-file-age --help"
	"check-file-age -f $bin/heartbeat -w 60"
)
if [ -x "$bin/check-procs" ]; then
	cases+=("check-procs --help" "check-procs")
fi
if [ -x "$bin/check-log" ]; then
	printf 'INFO ok\n' >"$bin/app.log"
	cases+=("check-log -f $bin/app.log -p ERROR --state-dir $bin/state")
fi

echo
echo "## Peak RSS (KiB, highest of 20 runs; /usr/bin/time -v)"
for c in "${cases[@]}"; do
	for dir in "$bin" "$bin/multi"; do
		[ -e "$dir/${c%% *}" ] || continue
		max=0
		for _ in $(seq 20); do
			# shellcheck disable=SC2086 # $c is a command line
			/usr/bin/time -v -o "$bin/time.txt" "$dir/"$c >/dev/null 2>&1 || true
			kb=$(awk '/Maximum resident/ {print $NF}' "$bin/time.txt")
			[ "$kb" -gt "$max" ] && max=$kb
		done
		printf '%-7s %-64s %6d\n' "$([ "$dir" = "$bin" ] && echo single || echo teko)" "$c" "$max"
	done
done

echo
echo "## Wall time (hyperfine, $RUNS runs, no shell)"
args=()
for c in "${cases[@]}"; do
	args+=(-n "single: $c" "$bin/$c")
	[ -e "$bin/multi/${c%% *}" ] && args+=(-n "teko:   $c" "$bin/multi/$c")
done
hyperfine -N --warmup 10 --runs "$RUNS" --style basic --export-markdown "$bin/times.md" -i "${args[@]}" >/dev/null
cat "$bin/times.md"
