// Command check-file-age alerts when a file was last modified too long
// ago or is too small; see package checkfileage.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkfileage"
)

func main() { plugin.Main(checkfileage.Plugin) }
