//go:build !linux

package checkntpoffset

import "errors"

func kernelClock() (Reading, error) {
	return Reading{Source: "kernel"}, errors.New("the kernel's clock state is read only on Linux")
}
