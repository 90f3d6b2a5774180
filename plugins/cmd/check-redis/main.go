// Command check-redis checks a Redis server; see package checkredis.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkredis"
)

func main() { plugin.Main(checkredis.Plugin) }
