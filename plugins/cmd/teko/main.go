// Command teko is the multi-call binary: it contains every official
// plugin and runs the one named by its first argument ("teko check-log
// …") or by the name it was called by (a symlink "check-log" pointing at
// teko). "teko --help" lists the plugins. See package multicall.
package main

import (
	"os"

	"github.com/teko-dev/teko/plugins/all"
	"github.com/teko-dev/teko/plugins/multicall"
)

var teko = &multicall.Program{Name: "teko", Plugins: all.Plugins}

func main() { os.Exit(teko.Main()) }
