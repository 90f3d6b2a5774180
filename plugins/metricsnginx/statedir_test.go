package metricsnginx

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With a state directory it cannot use, the built binary still prints the
// four gauges (they need no state), leaves out the three rates, and says
// why on stderr — instead of blanking every graph.
func TestUnusableStateDirStillPrintsGauges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	exe := filepath.Join(t.TempDir(), "metrics-nginx")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", exe, "github.com/teko-dev/teko/plugins/cmd/metrics-nginx").CombinedOutput()
	require.NoError(t, err, "%s", out)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n")
	}))
	defer srv.Close()

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	dirs := map[string]string{"a file in the way": filepath.Join(file, "state")}
	if runtime.GOOS == "linux" && os.Geteuid() == 0 {
		// The agent's user is not the one who made the directory.
		foreign := filepath.Join(t.TempDir(), "foreign")
		require.NoError(t, os.Mkdir(foreign, 0o700))
		require.NoError(t, os.Chown(foreign, 65534, 65534))
		dirs["another user's directory"] = foreign
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			for run := 1; run <= 2; run++ {
				cmd := exec.Command(exe, "--uri", srv.URL+"/nginx_status", "--state-dir", dir)
				cmd.Env = []string{"LANG=C", "LC_ALL=C"}
				var stdout, stderr strings.Builder
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				_ = cmd.Run()
				values := map[string]string{}
				for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
					f := strings.Split(line, "\t")
					require.Len(t, f, 3, "%q", stdout.String())
					values[f[0]] = f[1]
				}
				assert.Equal(t, map[string]string{
					"nginx.connections.connections": "291",
					"nginx.queue.reading":           "6",
					"nginx.queue.writing":           "179",
					"nginx.queue.waiting":           "106",
				}, values, "run %d", run)
				assert.Contains(t, stderr.String(), "metrics-nginx: rates left out, as the state that turns counters into rates cannot be used: ")
				assert.Contains(t, stderr.String(), dir, "names the directory")
				assert.Equal(t, 3, cmd.ProcessState.ExitCode())
			}
		})
	}
}
