package checkhttp

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// A password as an operator pastes it into a config file, with a "#",
// "/" or "?" not percent-encoded, makes the URL one url.Parse reads
// another way; no part of it may reach the output, and the reason says
// what to do. Run with the built binary: stdout and stderr.
func TestURLPasswordWithReservedCharactersNeverShown(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-http")
	for _, args := range [][]string{
		{"-u", "http://bob:p4ss#word@127.0.0.1:9/"},
		{"-u", "http://bob:p4ss/word@127.0.0.1:9/"},
		{"-u", "http://bob:p4ss?word@127.0.0.1:9/"},
		{"-u", "http://127.0.0.1:9/", "-x", "http://bob:p4ss#word@127.0.0.1:9"},
		{"-u", "http://127.0.0.1:9/", "-x", "bob:p4ss/word@127.0.0.1:9"},
	} {
		cmd := exec.Command(exe, append(args, "-t", "2")...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%q", args)
		assert.Equal(t, 3, exit.ExitCode(), "a bad flag: %s", out)
		assert.NotContains(t, string(out)+stderr.String(), "p4ss", "%q", args)
		assert.Contains(t, string(out), "percent-encode", "%q", args)
	}
}
