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
# shellcheck source=packaging/common.sh
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
	[ -f "$f" ] && printf '%-20s %10d  (%s MiB)\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(awk -v b="$(stat -c %s "$f")" 'BEGIN {printf "%.1f", b / 1048576}')"
done

# --help of every binary, and quick runs that find nothing wrong: the
# simplest real check plugin (the example check-file-age), check-log on a
# small log (it writes its position file: one fsync'd state write), and
# check-procs when it is there. Paths are relative to the build folder.
cd "$bin"
touch heartbeat
printf 'INFO ok\n' >app.log
cases=()
for name in check-file-age "${PLUGINS[@]}"; do cases+=("$name --help"); done
cases+=("check-file-age -f heartbeat -w 60")
[ -x check-log ] && cases+=("check-log -f app.log -p ERROR --state-dir state")
[ -x check-procs ] && cases+=("check-procs")

echo
echo "## Peak RSS (KiB, highest of 20 runs; /usr/bin/time -v)"
for c in "${cases[@]}"; do
	for dir in . multi; do
		[ -e "$dir/${c%% *}" ] || continue
		max=0
		for _ in $(seq 20); do
			# shellcheck disable=SC2086 # $c is a command line
			/usr/bin/time -v -o time.txt "$dir/"$c >/dev/null 2>&1 || true
			kb=$(awk '/Maximum resident/ {print $NF}' time.txt)
			[ "$kb" -gt "$max" ] && max=$kb
		done
		printf '%-7s %-50s %6d\n' "$([ "$dir" = . ] && echo single || echo teko)" "$c" "$max"
	done
done

echo
echo "## Wall time (hyperfine, $RUNS runs, no shell)"
args=()
for c in "${cases[@]}"; do
	args+=(-n "single: $c" "./$c")
	[ -e "multi/${c%% *}" ] && args+=(-n "teko:   $c" "multi/$c")
done
hyperfine -N --warmup 10 --runs "$RUNS" --style none --export-markdown times.md -i "${args[@]}" >/dev/null 2>&1
cat times.md
