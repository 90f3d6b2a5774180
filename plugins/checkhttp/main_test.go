package checkhttp

import (
	"os"
	"testing"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	stopServers()
	os.Exit(code)
}
