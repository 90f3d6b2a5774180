// Command check-disk checks free space and inodes of mounted file
// systems; see package checkdisk.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkdisk"
)

func main() { plugin.Main(checkdisk.Plugin) }
