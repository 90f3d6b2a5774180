#!/usr/bin/env bash
# debversion.sh VERSION prints VERSION (the output of `git describe --tags
# --always --dirty`) as a valid Debian version that sorts the same way:
#   v1.2.3            -> 1.2.3
#   v1.2.3-4-gabc1234 -> 1.2.3+git4.abc1234   (4 commits after v1.2.3)
#   v2.0.0-rc1        -> 2.0.0~rc1            (a pre-release sorts first)
#   abc1234           -> 0.0.0~gitabc1234     (no tag yet: before any release)
#   …-dirty           -> …+dirty / ….dirty    (uncommitted changes)
set -euo pipefail
v=${1:?usage: debversion.sh VERSION}
dirty=
case $v in *-dirty) v=${v%-dirty} dirty=1 ;; esac
v=${v#v}
# a Go pre-release tag, v2.0.0-rc1, sorts before 2.0.0 in Debian as 2.0.0~rc1
if [[ $v =~ ^([0-9][0-9.]*)-([A-Za-z][0-9A-Za-z.]*)(-[0-9]+-g[0-9a-f]+)?$ ]]; then
	v="${BASH_REMATCH[1]}~${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
fi
if [[ $v =~ ^([0-9][0-9A-Za-z.~+]*)-([0-9]+)-g([0-9a-f]+)$ ]]; then
	v="${BASH_REMATCH[1]}+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
elif [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then
	v="0.0.0~git$v" # an abbreviated commit hash: no tag yet
elif [[ $v =~ ^[0-9][0-9A-Za-z.~+]*$ ]]; then
	: # a tag such as 1.2.3 or 1.2.3~rc1 is already valid
else
	# anything else (a tag with a hyphen, "devel"): keep only what Debian allows
	v="0.0.0~$(printf '%s' "$v" | tr -c '0-9A-Za-z.+~' '.')"
fi
if [ -n "$dirty" ]; then
	case $v in *+*) v="$v.dirty" ;; *) v="$v+dirty" ;; esac
fi
echo "$v"
