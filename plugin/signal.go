package plugin

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// signalContext returns a context cancelled, with the signal as its
// cause, on SIGINT or SIGTERM (the agent's timeout kill).
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-ch:
			cancel(fmt.Errorf("interrupted by signal %v", sig))
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}
