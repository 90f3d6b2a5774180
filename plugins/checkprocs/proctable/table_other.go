//go:build !linux && !darwin && !freebsd && !windows

package proctable

import (
	"context"
	"errors"
	"runtime"
)

func read(context.Context, Fields) (*Table, error) {
	return nil, errors.New("reading processes is not supported on " + runtime.GOOS)
}
