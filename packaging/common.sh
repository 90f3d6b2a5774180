# shellcheck shell=bash
# Shared by the packaging scripts; sourced, not run. It sets:
#   GO, VERSION, LDFLAGS      what to build with (the Makefile passes its own)
#   PLUGINS                   every plugin binary name (plugins/cmd/*/main.go but teko)
#   ALIASES                   the other names plugins answer to (plugin.Plugin.Aliases,
#                             e.g. mackerel-plugin-nginx), from packaging/aliases
#   SOURCE_DATE_EPOCH         the commit time, so archives are reproducible
# and defines plugin_readme NAME (the path of a plugin's README.md) and
# build GOOS GOARCH DIR PACKAGES... (static release binaries into DIR).

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
LDFLAGS=${LDFLAGS:--s -w -X github.com/teko-dev/teko/plugin.Version=$VERSION}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

PLUGINS=()
for main in plugins/cmd/*/main.go; do
	name=$(basename "$(dirname "$main")")
	[ "$name" = teko ] || PLUGINS+=("$name")
done

ALIASES=()
while read -r alias _; do
	ALIASES+=("$alias")
done < <("$GO" run ./packaging/aliases)

# plugin_readme NAME prints the README of the package whose Plugin
# plugins/cmd/NAME runs: the one package under plugins/ that it imports.
plugin_readme() {
	local pkg
	pkg=$("$GO" list -f '{{join .Imports "\n"}}' "./plugins/cmd/$1" | grep '/plugins/' | head -n 1)
	echo "plugins/${pkg##*/plugins/}/README.md"
}

# build GOOS GOARCH DIR PACKAGES... compiles static binaries into DIR.
build() {
	local goos=$1 goarch=$2 dir=$3
	shift 3
	mkdir -p "$dir"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$dir/" "$@"
}
