// Command check-load checks the load averages; see package checkload.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkload"
)

func main() { plugin.Main(checkload.Plugin) }
