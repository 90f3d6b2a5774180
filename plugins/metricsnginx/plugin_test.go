package metricsnginx

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	flags "github.com/jessevdk/go-flags"
	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// The graph definitions are mackerel-plugin-nginx's, byte for byte in
// keys, labels and units.
func TestMeta(t *testing.T) {
	h := plugintest.New(t, Plugin)
	r := h.Meta()
	assert.Equal(t, 0, r.Code)
	assert.Empty(t, r.Stderr)
	plugintest.Golden(t, "meta.golden", r.Stdout)

	r = h.Meta("--metric-key-prefix", "nginx-edge")
	assert.Contains(t, r.Stdout, `"nginx-edge.requests":{"label":"Nginx requests","unit":"float"`)
}

// Faults a real nginx does not produce: every one prints no value and one
// line on stderr naming the page.
func TestPluginFaults(t *testing.T) {
	tests := []struct {
		name    string
		handler func(release <-chan struct{}) http.HandlerFunc
		wantErr string
	}{
		{"server error", func(<-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "upstream down", http.StatusInternalServerError)
			}
		}, `HTTP status "500 Internal Server Error", want 2xx`},
		{"HTML error page with 200", func(<-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, "<!DOCTYPE html>\n<html><body>Maintenance</body></html>\n")
			}
		}, `not stub_status output: line 1: want "Active connections: N", got "<!DOCTYPE html>"`},
		{"first lines only", func(<-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, sampleBody[:strings.Index(sampleBody, "Reading")])
			}
		}, `not stub_status output: body ends before line 4, want "Reading: N Writing: N Waiting: N"`},
		{"connection dropped mid-body", func(<-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(sampleBody), sampleBody[:100])
			}
		}, `body cut short: connection closed after 100 of 124 bytes`},
		{"hung server", func(release <-chan struct{}) http.HandlerFunc {
			return func(http.ResponseWriter, *http.Request) { <-release }
		}, `no complete response within 200ms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, tt.handler)
			h := plugintest.New(t, Plugin)
			start := time.Now()
			r := h.Run("--uri", url, "--http-timeout", "200ms")
			assert.Less(t, time.Since(start), 3*time.Second)
			assert.Empty(t, r.Stdout)
			assert.Equal(t, 3, r.Code)
			assert.Equal(t, "metrics-nginx: "+url+": "+tt.wantErr+"\n", r.Stderr)
			entries, _ := os.ReadDir(h.StateDir)
			assert.Empty(t, entries, "a failed run keeps no state")
		})
	}
}

// A --timeout shorter than --http-timeout: the page is given up on first,
// so that the message still names it (the run's own deadline could only
// say "timed out").
func TestPluginTimeoutShorterThanHTTPTimeout(t *testing.T) {
	url := serve(t, func(release <-chan struct{}) http.HandlerFunc {
		return func(http.ResponseWriter, *http.Request) { <-release }
	})
	start := time.Now()
	r := plugintest.New(t, Plugin).Run("--uri", url, "--http-timeout", "1m", "-t", "2s")
	assert.Less(t, time.Since(start), 2*time.Second+time.Second)
	assert.Empty(t, r.Stdout)
	assert.Equal(t, 3, r.Code)
	assert.Regexp(t, `^metrics-nginx: `+regexp.QuoteMeta(url)+`: no complete response within 1\.\d+s\n$`, r.Stderr)
}

func TestPluginBadOptions(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--header", "X-Token"}, `--header "X-Token": want "Name: value"`},
		{[]string{"--header", ": v"}, `--header ": v": want "Name: value"`},
		{[]string{"--header", `X-"Quoted": v`}, `--header "X-\"Quoted\": v": want "Name: value"`},
		{[]string{"--header", "X-Token: a\r\nX-Injected: b"}, `--header "X-Token: a\r\nX-Injected: b": the value has a control character`},
		{[]string{"--host", ""}, `--host "": want a host name or IP address`},
		{[]string{"--host", "[]"}, `--host "[]": want a host name or IP address`},
		{[]string{"--host", "127.0.0.1:8080"}, `--host "127.0.0.1:8080": want a host name or IP address, with no scheme or port (those are --scheme and --port)`},
		{[]string{"--host", "http://nginx.internal"}, `--host "http://nginx.internal": want a host name or IP address, with no scheme or port (those are --scheme and --port)`},
		{[]string{"--scheme", "ftp"}, `--scheme "ftp": want http or https`},
		{[]string{"--port", "0"}, "invalid argument for flag `--port': \"0\": want a port number from 1 to 65535"},
		{[]string{"--port", "65536"}, "invalid argument for flag `--port': \"65536\": want a port number from 1 to 65535"},
		{[]string{"-port", "htp"}, "invalid argument for flag `--port': \"htp\": not a port number, nor a service name this system knows (want e.g. 80 or http)"},
		{[]string{"--http-timeout", "0s"}, `--http-timeout 0s: must be positive`},
		{[]string{"--uri", "localhost:8080/nginx_status"}, `address "localhost:8080/nginx_status": want an http:// or https:// URL, or unix:SOCKET:/PATH`},
		{[]string{"--uri", "unix:/a.sock:/s", "--socket", "/b.sock"}, `--socket and a unix: --uri both name a socket; give one`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := plugintest.New(t, Plugin).Run(tt.args...)
			assert.Equal(t, 3, r.Code)
			assert.Equal(t, "metrics-nginx UNKNOWN: "+tt.wantErr+"\n", r.Stdout, "reported like any flag error")
			assert.Empty(t, r.Stderr)
		})
	}

	// go-flags rejects these before the plugin runs; the runtime makes them UNKNOWN.
	for _, args := range [][]string{{"--http-timeout", "5"}, {"-nosuchflag"}} {
		r := plugintest.New(t, Plugin).Run(args...)
		assert.Equal(t, 3, r.Code, args)
		assert.True(t, strings.HasPrefix(r.Stdout, "metrics-nginx UNKNOWN: "), r.Stdout)
	}
}

func TestTargetFromFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "http://localhost:8080/nginx_status"},
		{[]string{"--scheme", "https", "--host", "::1", "--port", "443", "--path", "status"}, "https://[::1]:443/status"},
		{[]string{"--host", "[fe80::1]", "--path", "/s?auto"}, "http://[fe80::1]:8080/s?auto"},
		{[]string{"--uri", "http://10.0.0.1/st", "--host", "ignored", "--port", "1"}, "http://10.0.0.1/st"},
		{[]string{"--socket", "/run/nginx.sock"}, "unix:/run/nginx.sock:/nginx_status"},
		// mackerel-plugin-nginx took a service name (-port http), as Go's net.Dial does.
		{[]string{"--port", "http"}, "http://localhost:80/nginx_status"},
		{[]string{"--scheme", "https", "--port", "https"}, "https://localhost:443/nginx_status"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o := Plugin.New().(*options)
			_, err := flagsParser(o).ParseArgs(tt.args)
			assert.NoError(t, err)
			target, err := o.target()
			assert.NoError(t, err)
			assert.Equal(t, tt.want, target.String())
		})
	}
}

func flagsParser(o *options) *flags.Parser { return flags.NewParser(o, flags.None) }
