//go:build !windows

package checkredis_test

import (
	"errors"
	"os/exec"
)

type exitError struct{ code int }

func (e *exitError) Error() string { return "exit" }

// runBinary runs the built plugin and returns its stdout and, for a
// non-zero exit, an *exitError with the code.
func runBinary(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), &exitError{ee.ExitCode()}
	}
	return string(out), err
}
