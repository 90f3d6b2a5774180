package metricsnginx

import (
	"os"
	"testing"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }
