package metricsnginx

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// A password in --uri (sent as basic authentication) never reaches the
// state directory: not in a file's name, not in its text (the state
// file records the options that name the instance).
func TestURIPasswordNotInState(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/metrics-nginx")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, _ := r.BasicAuth(); pw != "s3cr3tpw" {
			http.Error(w, "auth", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "Active connections: 1 \nserver accepts handled requests\n 5 5 9 \nReading: 0 Writing: 1 Waiting: 0 \n")
	}))
	defer srv.Close()
	dir := t.TempDir()
	uri := strings.Replace(srv.URL, "http://", "http://u:s3cr3tpw@", 1) + "/nginx_status"
	out, err := exec.Command(exe, "--uri", uri, "--state-dir", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "nginx.connections.connections\t1\t")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "s3cr3tpw")
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(b), "s3cr3tpw", e.Name())
	}
}
