package plugintest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var binaries struct {
	sync.Mutex
	dir   string
	built map[string]string // import path → executable
}

// Binary builds the main package at importPath (for example
// "github.com/teko-dev/teko/plugins/cmd/check-log") once per test process
// and returns the executable's path, for tests that must run a plugin as
// a real process: signals, SIGKILL, several runs at once. Use RunTests in
// TestMain so the executables are removed afterwards.
func Binary(t testing.TB, importPath string) string {
	t.Helper()
	binaries.Lock()
	defer binaries.Unlock()
	if exe, ok := binaries.built[importPath]; ok {
		return exe
	}
	if binaries.dir == "" {
		dir, err := os.MkdirTemp("", "teko-plugintest")
		if err != nil {
			t.Fatal(err)
		}
		binaries.dir, binaries.built = dir, map[string]string{}
	}
	exe := filepath.Join(binaries.dir, path.Base(importPath))
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", exe, importPath).CombinedOutput()
	if err != nil {
		t.Fatal(fmt.Errorf("go build %s: %v\n%s", importPath, err, out))
	}
	binaries.built[importPath] = exe
	return exe
}

// RunTests runs the tests and then removes what Binary built:
//
//	func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }
func RunTests(m *testing.M) int {
	code := m.Run()
	binaries.Lock()
	defer binaries.Unlock()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	return code
}
