// Command check-mysql checks a MySQL or MariaDB server; see package
// checkmysql.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkmysql"
)

func main() { plugin.Main(checkmysql.Plugin) }
