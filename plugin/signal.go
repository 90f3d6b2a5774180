package plugin

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

// signalContext returns a context cancelled, with the signal as its
// cause, on any catchable signal that would otherwise end the process
// (terminatingSignals: SIGTERM, the agent's timeout kill, SIGINT, SIGHUP,
// SIGQUIT and SIGABRT on Unix), so that every one of them ends as
// "TITLE UNKNOWN: interrupted by signal <name>", exit code 3 — never an
// empty stdout with exit 129, nor a Go stack dump with exit 2. It also
// catches ignoredSignals (SIGPIPE on Unix), which must not end the
// process: a write to a closed stdout then fails with an error the
// runtime reports (exit 3) instead of killing the process silently.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, append(terminatingSignals(), ignoredSignals()...)...)
	ignored := map[os.Signal]bool{}
	for _, s := range ignoredSignals() {
		ignored[s] = true
	}
	go func() {
		for {
			select {
			case sig := <-ch:
				if ignored[sig] {
					continue
				}
				cancel(fmt.Errorf("interrupted by signal %v", sig))
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}
