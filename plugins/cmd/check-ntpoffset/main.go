// Command check-ntpoffset checks the clock's offset from NTP time; see
// package checkntpoffset.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkntpoffset"
)

func main() { plugin.Main(checkntpoffset.Plugin) }
