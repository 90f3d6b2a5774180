// Command check-ssl-cert checks a TLS server's certificates; see package
// checksslcert.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checksslcert"
)

func main() { plugin.Main(checksslcert.Plugin) }
