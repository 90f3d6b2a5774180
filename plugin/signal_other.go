//go:build windows || plan9

package plugin

import (
	"os"
	"syscall"
)

// terminatingSignals are what Windows delivers to a console program:
// Ctrl-C/Ctrl-Break as os.Interrupt, a closed console or a shutdown as
// SIGTERM.
func terminatingSignals() []os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM} }

func ignoredSignals() []os.Signal { return nil }
