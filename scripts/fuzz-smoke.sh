#!/usr/bin/env bash
# Runs every fuzz target in the module (found by grepping for "func Fuzz"
# in *_test.go files), one `go test -fuzz` per target, each for FUZZTIME
# (default 3s), and prints a table of executions per target. A target
# that fails stops nothing else; the script exits 1 at the end. A crash
# is written by go test under <pkg>/testdata/fuzz/<Target>/: commit it as
# a regression test with the fix.
#
#   scripts/fuzz-smoke.sh              # CI: a few seconds each
#   FUZZTIME=2m scripts/fuzz-smoke.sh  # make fuzz: longer
#   FUZZ_PARALLEL=1 ...                # workers per target (default: go's)
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-3s}
parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT

start=$(date +%s)
failed=0
# "dir:FuzzName" for every fuzz target, sorted.
targets=$(grep -rH --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(' . |
	sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*#\1:\2#' | sort -u)
for t in $targets; do
	dir=${t%%:*}
	name=${t##*:}
	printf '%-40s %-28s ' "$dir" "$name"
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "${parallel[@]}" "./$dir" >"$log" 2>&1; then
		execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
		echo "ok   ${execs:-?} execs"
	else
		echo "FAIL"
		cat "$log"
		failed=1
	fi
done
echo "fuzz: $(echo "$targets" | grep -c .) targets, ${fuzztime} each, $(($(date +%s) - start))s in all"
exit $failed
