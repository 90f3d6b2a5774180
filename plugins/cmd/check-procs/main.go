// Command check-procs counts the running processes that match a pattern
// or a name; see package checkprocs.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkprocs"
)

func main() { plugin.Main(checkprocs.Plugin) }
