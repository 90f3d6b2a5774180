// Command aliases prints the other names the official plugins answer to
// in the multi-call binary (plugin.Plugin.Aliases, such as a Mackerel
// original's binary name), one "ALIAS PLUGIN" pair a line, for the
// packaging scripts to install symlinks of those names:
//
//	go run ./packaging/aliases
package main

import (
	"fmt"

	"github.com/teko-dev/teko/plugins/all"
)

func main() {
	for _, p := range all.Plugins {
		for _, a := range p.Aliases {
			fmt.Println(a, p.Name)
		}
	}
}
