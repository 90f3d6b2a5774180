//go:build !windows

package metricsnginx

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// The multi-call binary answers to mackerel-plugin-nginx, the name agent
// configurations written for the Mackerel plugin call, and reads its
// one-dash flags.
func TestBinaryAnswersToMackerelName(t *testing.T) {
	ngx := startNginx(t)
	teko := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/teko")
	link := filepath.Join(t.TempDir(), "mackerel-plugin-nginx")
	require.NoError(t, os.Symlink(teko, link))
	cmd := exec.Command(link, "-host", "127.0.0.1", "-port", strconv.Itoa(ngx.Port))
	cmd.Env = append(os.Environ(), "MACKEREL_PLUGIN_WORKDIR="+t.TempDir())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), errOut.String())
	assert.Regexp(t, `(?m)^nginx\.connections\.connections\t1\t\d+$`, out.String())
	assert.Regexp(t, `(?m)^nginx\.queue\.writing\t1\t\d+$`, out.String())

	cmd = exec.Command(teko, "mackerel-plugin-nginx", "-host", "127.0.0.1", "-port", strconv.Itoa(ngx.Port))
	cmd.Env = append(os.Environ(), "MACKEREL_PLUGIN_WORKDIR="+t.TempDir())
	got, err := cmd.Output()
	require.NoError(t, err)
	assert.Contains(t, string(got), "nginx.queue.writing\t1\t")
}

// -port takes a service name, as the Mackerel plugin did through Go's
// net.Dial: "-port http" is port 80 (nothing listens there in the test,
// so the message names the page it tried).
func TestPluginPortServiceName(t *testing.T) {
	h := plugintest.New(t, Plugin)
	r := h.Run("-host", "127.0.0.1", "-port", "http", "-http-timeout", "2s")
	if r.Code == 0 {
		return // something serves a stub_status on :80 here; the port was read
	}
	assert.Empty(t, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stderr, "metrics-nginx: http://127.0.0.1:80/nginx_status: "), r.Stderr)
}
