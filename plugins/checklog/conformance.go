package checklog

import (
	"os"
	"path/filepath"
)

// ConformanceArgs makes a small log for the conformance suite's run.
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "app.log")
	if err := os.WriteFile(path, []byte("INFO started\nERROR before the first run\n"), 0o644); err != nil {
		return nil, nil, err
	}
	return []string{"--file", path, "--pattern", "ERROR", "--state-dir", filepath.Join(dir, "state")}, nil, nil
}
