// Command check-http requests a URL and checks the status, the body and
// the response time; see package checkhttp.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkhttp"
)

func main() { plugin.Main(checkhttp.Plugin) }
