//go:build linux

package consumers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

var (
	nginx        servertest.Shared[*nginxServer]
	nodeExporter servertest.Shared[*nodeExp]
	influx       servertest.Shared[*influxDB]
	victoria     servertest.Shared[*victoriaMetrics]
	nagios       servertest.Shared[*nagiosCore]
)

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	for _, s := range []interface{ Close() }{&nginx, &nodeExporter, &influx, &victoria, &nagios} {
		s.Close()
	}
	os.Exit(code)
}

func getNginx(t *testing.T) *nginxServer {
	return nginx.Get(t, startNginx)
}

// run runs p in-process as an agent would, at now, with its state in
// stateDir, and returns stdout, stderr and the exit code.
func run(p *plugin.Plugin, now time.Time, stateDir string, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := p.Run(context.Background(), plugin.Env{
		Args: args, Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now },
		Getenv: func(k string) string {
			if k == "MACKEREL_PLUGIN_WORKDIR" {
				return stateDir
			}
			return ""
		},
	})
	return out.String(), errOut.String(), code
}

// stub is one reading of nginx's stub_status.
type stub struct{ active, accepts, handled, requests, reading, writing, waiting float64 }

var stubRE = regexp.MustCompile(`Active connections: (\d+)\s+server accepts handled requests\s+(\d+) (\d+) (\d+)\s+Reading: (\d+) Writing: (\d+) Waiting: (\d+)`)

// readStub reads stub_status directly: the source the plugin's values
// are compared with. Each reading is itself one more request.
func readStub(t *testing.T, url string) stub {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}} // one connection per reading, as the plugin's
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := stubRE.FindStringSubmatch(string(b))
	require.NotNil(t, m, "%s", b)
	f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
	return stub{f(1), f(2), f(3), f(4), f(5), f(6), f(7)}
}

// between fails unless lo <= v <= hi.
func between(t *testing.T, what string, v, lo, hi float64) {
	t.Helper()
	if v < lo || v > hi {
		t.Errorf("%s = %v, want between %v and %v (the source read around the run)", what, v, lo, hi)
	}
}

// sleepers starts n processes "sleep 3600.<tag>" and returns the pattern
// that matches exactly them; they are killed when the test ends.
func sleepers(t *testing.T, n int, tag string) string {
	t.Helper()
	arg := "3600." + tag
	for range n {
		cmd := exec.Command("sleep", arg)
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	return `sleep 3600[.]` + tag
}

// scrapeSample is one sample of a scrape.
type scrapeSample struct {
	name   string
	labels string
	value  float64
}

var sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$`)

// parseScrape reads the samples of a Prometheus text page.
func parseScrape(t *testing.T, text string) []scrapeSample {
	t.Helper()
	var out []scrapeSample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sampleRE.FindStringSubmatch(line)
		require.NotNil(t, m, "sample line %q", line)
		v, err := strconv.ParseFloat(m[3], 64)
		require.NoError(t, err, line)
		out = append(out, scrapeSample{m[1], m[2], v})
	}
	return out
}

// value returns the sample with name and exactly labels, or fails.
func value(t *testing.T, samples []scrapeSample, name, labels string) float64 {
	t.Helper()
	for _, s := range samples {
		if s.name == name && s.labels == labels {
			return s.value
		}
	}
	t.Fatalf("no sample %s%s", name, labels)
	return 0
}

func httpGet(url string) (string, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return "", fmt.Errorf("%s: %s: %s", url, resp.Status, b)
	}
	return string(b), err
}
