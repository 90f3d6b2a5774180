// Command metrics-php-fpm prints a PHP-FPM pool's status metrics; see
// package metricsphpfpm.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsphpfpm"
)

func main() { plugin.Main(metricsphpfpm.Plugin) }
