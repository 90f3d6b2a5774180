// Command check-tcp connects to a TCP port or unix socket, optionally
// sends, expects and quits, and times it; see package checktcp.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checktcp"
)

func main() { plugin.Main(checktcp.Plugin) }
