//go:build !unix

package logtail

import "errors"

func mkfifo(string) error { return errors.ErrUnsupported }
