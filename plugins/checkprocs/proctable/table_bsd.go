//go:build darwin || freebsd

package proctable

import "context"

func read(ctx context.Context, need Fields) (*Table, error) { return readPS(ctx, need) }
