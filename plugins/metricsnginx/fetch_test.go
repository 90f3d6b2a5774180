package metricsnginx

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
)

const sampleBody = "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n"

func TestParseTarget(t *testing.T) {
	tests := []struct {
		addr, wantURL, wantSocket, wantString string
	}{
		{"http://localhost:8080/nginx_status", "http://localhost:8080/nginx_status", "", "http://localhost:8080/nginx_status"},
		{"https://[::1]/status?full", "https://[::1]/status?full", "", "https://[::1]/status?full"},
		{"unix:/run/nginx.sock:/nginx_status", "http://localhost/nginx_status", "/run/nginx.sock", "unix:/run/nginx.sock:/nginx_status"},
		{"unix:relative.sock:/s?x=1", "http://localhost/s?x=1", "relative.sock", "unix:relative.sock:/s?x=1"},
		// A colon in the socket's name: the path starts at the first ":/".
		{"unix:/run/nginx:edge.sock:/nginx_status", "http://localhost/nginx_status", "/run/nginx:edge.sock", "unix:/run/nginx:edge.sock:/nginx_status"},
		// Messages never show a password.
		{"http://admin:s3cret@127.0.0.1/nginx_status", "http://admin:s3cret@127.0.0.1/nginx_status", "", "http://admin:xxxxx@127.0.0.1/nginx_status"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := ParseTarget(tt.addr)
			require.NoError(t, err)
			assert.Equal(t, tt.wantURL, got.URL.String())
			assert.Equal(t, tt.wantSocket, got.Socket)
			assert.Equal(t, tt.wantString, got.String())
		})
	}
}

func TestParseTargetRejects(t *testing.T) {
	tests := map[string]string{
		"localhost:8080/nginx_status":   `address "localhost:8080/nginx_status": want an http:// or https:// URL, or unix:SOCKET:/PATH`,
		"ftp://localhost/nginx_status":  `address "ftp://localhost/nginx_status": want an http:// or https:// URL, or unix:SOCKET:/PATH`,
		"http:///nginx_status":          `address "http:///nginx_status": no host`,
		"unix:/run/nginx.sock":          `address "unix:/run/nginx.sock": want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status`,
		"unix::/nginx_status":           `address "unix::/nginx_status": want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status`,
		"unix:/run/nginx.sock:nginx":    `address "unix:/run/nginx.sock:nginx": want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status`,
		"http://local host/":            `address "http://local host/": invalid character " " in host name`,
		"unix:/run/nginx.sock:/a b%zz/": `address "unix:/run/nginx.sock:/a b%zz/": path: invalid URL escape "%zz"`,
		"unix:/run/nginx:edge.sock":     `address "unix:/run/nginx:edge.sock": want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status`,
		// The password is hidden even in an address url.Parse rejects.
		"http://admin:s3cret@127.0.0.1/%zz": `address "http://admin:xxxxx@127.0.0.1/%zz": invalid URL escape "%zz"`,
		"http://admin:s3cret@/nginx_status": `address "http://admin:xxxxx@/nginx_status": no host`,
		"http://admin:s3:cret@a b/s?u=x@y":  `address "http://admin:xxxxx@a b/s?u=x@y": invalid character " " in host name`,
	}
	for addr, want := range tests {
		t.Run(addr, func(t *testing.T) {
			_, err := ParseTarget(addr)
			require.Error(t, err)
			assert.Equal(t, want, err.Error())
		})
	}
}

// serve starts an httptest server, for faults a real nginx does not
// produce, and returns the URL of its /nginx_status. The handler gets a
// channel that is closed before the server shuts down, so a handler that
// hangs on it ends with the test.
func serve(t *testing.T, handler func(release <-chan struct{}) http.HandlerFunc) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(handler(release))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv.URL + "/nginx_status"
}

func fetchFrom(t *testing.T, url string, timeout time.Duration) (StubStatus, error) {
	t.Helper()
	return (&Client{Target: mustParseTarget(t, url), Timeout: timeout}).Fetch(context.Background())
}

func mustParseTarget(t *testing.T, addr string) Target {
	t.Helper()
	target, err := ParseTarget(addr)
	require.NoError(t, err)
	return target
}

// hijack lets a handler write raw bytes and then drop the connection.
func hijack(t *testing.T, w http.ResponseWriter, raw string) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	_, _ = conn.Write([]byte(raw))
}

func TestFetchFaults(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name    string
		handler func(t *testing.T, release <-chan struct{}) http.HandlerFunc
		wantErr string // after "URL: "
	}{
		{"server error", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, sampleBody) // a valid-looking body does not make a 500 a success
			}
		}, `HTTP status "500 Internal Server Error", want 2xx`},
		{"redirect loop", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusFound)
			}
		}, `stopped after 10 redirects`},
		{"garbage", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, "\x00\x01\x02binary\n")
			}
		}, `not stub_status output: line 1: want "Active connections: N", got "\x00\x01\x02binary"`},
		{"empty 200", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(http.ResponseWriter, *http.Request) {}
		}, `not stub_status output: empty body`},
		{"huge body", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				fmt.Fprint(w, sampleBody+strings.Repeat("x", 1<<20))
			}
		}, `not stub_status output: body larger than 65536 bytes`},
		{"body cut short", func(t *testing.T, _ <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				hijack(t, w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(sampleBody), sampleBody[:60]))
			}
		}, `body cut short: connection closed after 60 of 124 bytes`},
		{"chunked body cut short", func(t *testing.T, _ <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				hijack(t, w, fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", 60, sampleBody[:60]))
			}
		}, `body cut short: connection closed after 60 bytes, before the last chunk`},
		{"encoding Go cannot decode", func(*testing.T, <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Encoding", "br")
				fmt.Fprint(w, "\x1b\x7b\x00\xf8")
			}
		}, `body has Content-Encoding "br", which cannot be decoded; ask for no encoding (drop an "Accept-Encoding" header)`},
		{"gzip stream cut short", func(t *testing.T, _ <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				compressed := gzipped(t, sampleBody)
				compressed = compressed[:len(compressed)-8] // no checksum and length: the stream is incomplete
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Length", fmt.Sprint(len(compressed)))
				_, _ = w.Write(compressed)
			}
		}, `body cut short: the gzip-compressed body ends after 124 bytes of text`},
		{"no response headers", func(_ *testing.T, release <-chan struct{}) http.HandlerFunc {
			return func(http.ResponseWriter, *http.Request) { <-release }
		}, `no complete response within 300ms`},
		{"body stalls", func(_ *testing.T, release <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(len(sampleBody)))
				fmt.Fprint(w, sampleBody[:60])
				w.(http.Flusher).Flush()
				<-release
			}
		}, `reading body: no complete response within 300ms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, func(release <-chan struct{}) http.HandlerFunc { return tt.handler(t, release) })
			start := time.Now()
			st, err := fetchFrom(t, url, timeout)
			require.Error(t, err)
			assert.Equal(t, url+": "+tt.wantErr, err.Error())
			assert.Equal(t, StubStatus{}, st)
			assert.Less(t, time.Since(start), timeout+2*time.Second, "the timeout bounds the fetch")
		})
	}
}

func gzipped(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// Go asks for gzip and decompresses it itself; when the caller's own
// header asked for it, Fetch decompresses it.
func TestFetchGzip(t *testing.T) {
	url := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				fmt.Fprint(w, sampleBody)
				return
			}
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(t, sampleBody))
		}
	})
	for _, header := range []http.Header{nil, {"Accept-Encoding": {"gzip"}}, {"Accept-Encoding": {"gzip, deflate, br"}}} {
		st, err := (&Client{Target: mustParseTarget(t, url), Header: header}).Fetch(context.Background())
		require.NoError(t, err, header)
		assert.Equal(t, uint64(31070465), st.Requests, header)
	}
}

func TestFetchSendsHeaders(t *testing.T) {
	var got *http.Request
	url := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			got = r
			fmt.Fprint(w, sampleBody)
		}
	})
	c := &Client{
		Target: mustParseTarget(t, url),
		Header: http.Header{"Host": {"status.example"}, "X-Token": {"s3cret"}},
	}
	st, err := c.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, uint64(31070465), st.Requests)
	assert.Equal(t, "status.example", got.Host)
	assert.Equal(t, "s3cret", got.Header.Get("X-Token"))
	assert.Empty(t, got.Header.Values("Host"), "Host is the request's host, not an extra header")
	assert.Equal(t, "teko/"+plugin.BuildVersion(), got.UserAgent())

	c.Header = http.Header{"User-Agent": {"probe/1"}}
	_, err = c.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "probe/1", got.UserAgent())
}

func TestFetchStopsWhenTheCallerCancels(t *testing.T) {
	url := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, sampleBody) }
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Client{Target: mustParseTarget(t, url)}).Fetch(ctx)
	require.Error(t, err)
	assert.Equal(t, url+": context canceled", err.Error())
}
