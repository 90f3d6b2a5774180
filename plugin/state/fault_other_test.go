//go:build !unix

package state_test

import "errors"

func isUnixModes() bool { return false }

func limitFileSize(string) error {
	return errors.New("no file size limit on this system")
}
