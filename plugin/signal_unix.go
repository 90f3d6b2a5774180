//go:build !windows && !plan9

package plugin

import (
	"os"
	"syscall"
)

// terminatingSignals are the catchable signals whose default action (in
// a Go program) ends the process. SIGUSR1, SIGUSR2 and SIGALRM are
// ignored by Go programs unless caught, and SIGKILL and SIGSTOP cannot
// be caught.
func terminatingSignals() []os.Signal {
	return []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGABRT}
}

func ignoredSignals() []os.Signal { return []os.Signal{syscall.SIGPIPE} }
