// Command check-dns checks that a DNS server answers for a name; see
// package checkdns.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkdns"
)

func main() { plugin.Main(checkdns.Plugin) }
