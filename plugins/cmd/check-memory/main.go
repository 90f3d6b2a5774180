// Command check-memory checks the available memory and swap; see package
// checkmemory.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkmemory"
)

func main() { plugin.Main(checkmemory.Plugin) }
