#!/usr/bin/env bash
# dist.sh builds the release files into OUT (default dist/):
#   teko_VERSION_OS_ARCH.tar.gz (.zip for windows, written by zipdir) for each of PLATFORMS:
#     every single plugin binary, teko, LICENSE, README.md and each
#     plugin's README as doc/NAME.md, under a folder of the same name;
#   the .deb packages (deb.sh);
#   SHA256SUMS over all of them.
# Archives are reproducible: sorted entries, owner root, the last
# commit's time as every file's time.
set -euo pipefail
# shellcheck source=packaging/common.sh
source "$(dirname "$0")/common.sh"

OUT=${OUT:-dist}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 windows/amd64 freebsd/amd64}

rm -rf "$OUT"
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
OUT=$(cd "$OUT" && pwd)

for platform in $PLATFORMS; do
	goos=${platform%/*} goarch=${platform#*/}
	name=teko_${VERSION}_${goos}_$goarch
	dir=$work/$name
	build "$goos" "$goarch" "$dir" ./plugins/cmd/...
	mkdir -p "$dir/doc"
	cp LICENSE README.md "$dir/"
	for plugin in "${PLUGINS[@]}"; do
		cp "$(plugin_readme "$plugin")" "$dir/doc/$plugin.md"
	done
	chmod -R u=rwX,go=rX "$dir"
	find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	if [ "$goos" = windows ]; then
		"$GO" run ./packaging/zipdir "$OUT/$name.zip" "$dir"
	else
		tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
			-cf - "$name" | gzip -9n >"$OUT/$name.tar.gz"
	fi
	echo "$OUT/$name.$([ "$goos" = windows ] && echo zip || echo tar.gz)"
done

OUT=$OUT packaging/deb.sh

cd "$OUT"
shopt -s nullglob
files=(*.tar.gz *.zip *.deb)
sha256sum -- "${files[@]}" >SHA256SUMS
sha256sum --check --quiet SHA256SUMS
echo "$OUT/SHA256SUMS"
