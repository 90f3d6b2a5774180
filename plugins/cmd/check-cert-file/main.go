// Command check-cert-file checks the days left before the certificates in
// a file expire; see package checkcertfile.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkcertfile"
)

func main() { plugin.Main(checkcertfile.Plugin) }
