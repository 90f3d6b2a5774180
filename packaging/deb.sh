#!/usr/bin/env bash
# deb.sh builds teko_VERSION_ARCH.deb for each of DEB_ARCHES (default
# "amd64 arm64") into OUT (default dist/) with dpkg-deb: /usr/bin/teko,
# the multi-call binary, and for every plugin a symlink /usr/bin/NAME ->
# teko, and for every alias of a plugin (a Mackerel original's name such
# as mackerel-plugin-nginx) a symlink /usr/lib/teko/mackerel/ALIAS ->
# /usr/bin/teko, outside PATH since Mackerel's own package may own that
# name in /usr/bin. It then checks, with dpkg-deb itself, that each package holds
# them and carries the version, and that the binary reports it.
set -euo pipefail
# shellcheck source=packaging/common.sh
source "$(dirname "$0")/common.sh"

OUT=${OUT:-dist}
DEB_ARCHES=${DEB_ARCHES:-amd64 arm64}
DEB_VERSION=$(packaging/debversion.sh "$VERSION")
command -v dpkg-deb >/dev/null || { echo "deb.sh: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"

for arch in $DEB_ARCHES; do
	root=$work/$arch
	build linux "$arch" "$root/usr/bin" ./plugins/cmd/teko
	for name in "${PLUGINS[@]}"; do
		ln -s teko "$root/usr/bin/$name"
	done
	mkdir -p "$root/usr/lib/teko/mackerel"
	for alias in "${ALIASES[@]}"; do
		ln -s ../../../bin/teko "$root/usr/lib/teko/mackerel/$alias"
	done
	doc=$root/usr/share/doc/teko
	mkdir -p "$doc" "$root/DEBIAN"
	cp packaging/deb/copyright.in "$doc/copyright"
	gzip -9n <README.md >"$doc/README.md.gz"
	for name in "${PLUGINS[@]}"; do
		gzip -9n <"$(plugin_readme "$name")" >"$doc/$name.md.gz"
	done
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
		packaging/deb/control.in >"$root/DEBIAN/control"
	chmod -R u=rwX,go=rX "$root"
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

	deb=$OUT/teko_${DEB_VERSION}_$arch.deb
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null

	# The package must hold what it promises.
	listing=$(dpkg-deb -c "$deb")
	grep -Eq '^-rwxr-xr-x root/root .* \./usr/bin/teko$' <<<"$listing" ||
		{ echo "deb.sh: $deb lacks an executable /usr/bin/teko" >&2; exit 1; }
	for name in "${PLUGINS[@]}"; do
		grep -Eq "^lrwxrwxrwx root/root .* \./usr/bin/$name -> teko\$" <<<"$listing" ||
			{ echo "deb.sh: $deb lacks the symlink /usr/bin/$name -> teko" >&2; exit 1; }
	done
	for alias in "${ALIASES[@]}"; do
		grep -Eq "^lrwxrwxrwx root/root .* \./usr/lib/teko/mackerel/$alias -> \.\./\.\./\.\./bin/teko\$" <<<"$listing" ||
			{ echo "deb.sh: $deb lacks the symlink /usr/lib/teko/mackerel/$alias -> teko" >&2; exit 1; }
	done
	if [ "$(dpkg-deb -f "$deb" Version)" != "$DEB_VERSION" ] || [ "$(dpkg-deb -f "$deb" Architecture)" != "$arch" ]; then
		echo "deb.sh: $deb has the wrong Version or Architecture" >&2
		exit 1
	fi
	if [ "$arch" = "$(dpkg --print-architecture 2>/dev/null)" ]; then
		dpkg-deb -x "$deb" "$work/x-$arch"
		got=$("$work/x-$arch/usr/bin/${PLUGINS[0]}" --version)
		[ "$got" = "${PLUGINS[0]} $VERSION" ] ||
			{ echo "deb.sh: the packaged ${PLUGINS[0]} --version says \"$got\", want \"${PLUGINS[0]} $VERSION\"" >&2; exit 1; }
	fi
	echo "$deb"
done
