//go:build darwin || freebsd || linux || windows

package proctable

import "fmt"

// unsupportedError is a fact a system cannot give.
func unsupportedError(f Fields, goos string) error {
	return fmt.Errorf("the process %s is not available on %s", f, goos)
}
