package checktcp

import (
	"os"
	"testing"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

var nginx servertest.Shared[*servertest.Nginx]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	nginx.Close()
	os.Exit(code)
}
