// Command check-postgresql checks a PostgreSQL server; see package
// checkpostgresql.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkpostgresql"
)

func main() { plugin.Main(checkpostgresql.Plugin) }
