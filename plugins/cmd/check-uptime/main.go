// Command check-uptime checks the time since boot; see package
// checkuptime.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkuptime"
)

func main() { plugin.Main(checkuptime.Plugin) }
