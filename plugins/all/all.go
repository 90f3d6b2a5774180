// Package all is the registry: the list of every official teko plugin.
//
// The multi-call binary runs the plugins listed here, the conformance
// suite tests each of them, and packaging installs a symlink for each.
// Adding a plugin is one line in Plugins, kept in alphabetical order;
// nothing else in the repository needs to change. The plugin's own
// package supplies the rest: its code, README.md and the three-line
// plugins/cmd/<name>/main.go that makes its single binary.
package all

import (
	"github.com/teko-dev/teko/plugin"
)

// Plugins lists every official plugin, sorted by name.
var Plugins = []*plugin.Plugin{}
