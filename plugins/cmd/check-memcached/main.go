// Command check-memcached sets and gets a memcached key; see package checkmemcached.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkmemcached"
)

func main() { plugin.Main(checkmemcached.Plugin) }
