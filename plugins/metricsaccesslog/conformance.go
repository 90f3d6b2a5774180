package metricsaccesslog

import (
	"os"
	"path/filepath"
)

// ConformanceArgs writes a small combined-format log for the conformance
// suite's sample runs. The real-nginx test of this package tests the
// plugin against nginx's own logs.
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "access.log")
	line := `127.0.0.1 - - [01/Dec/2026:03:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.0"` + "\n"
	if err := os.WriteFile(path, []byte(line+line), 0o644); err != nil {
		return nil, nil, err
	}
	return []string{path}, func() {}, nil
}
