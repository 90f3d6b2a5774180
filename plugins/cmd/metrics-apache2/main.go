// Command metrics-apache2 prints Apache httpd's mod_status metrics; see
// package metricsapache2.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsapache2"
)

func main() { plugin.Main(metricsapache2.Plugin) }
