//go:build !windows

package metricsnginx

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFetchRealNginx(t *testing.T) {
	ngx := startNginx(t)
	ctx := context.Background()

	first, err := (&Client{Target: mustParseTarget(t, ngx.URL("/nginx_status"))}).Fetch(ctx)
	require.NoError(t, err)
	for range 5 {
		ngx.Get("/")
	}

	t.Run("tcp", func(t *testing.T) {
		st, err := (&Client{Target: mustParseTarget(t, ngx.URL("/nginx_status"))}).Fetch(ctx)
		require.NoError(t, err)
		// 5 requests of ours, then this fetch itself, each on a new connection.
		assert.Equal(t, first.Accepts+6, st.Accepts)
		assert.Equal(t, first.Handled+6, st.Handled)
		assert.Equal(t, first.Requests+6, st.Requests)
		// Only this fetch's connection is open, and nginx is writing its answer.
		assert.Equal(t, StubStatus{Active: 1, Writing: 1}, StubStatus{Active: st.Active, Reading: st.Reading, Writing: st.Writing, Waiting: st.Waiting})
		assert.False(t, st.HasRequestTime)
	})

	t.Run("unix socket", func(t *testing.T) {
		st, err := (&Client{Target: mustParseTarget(t, "unix:"+ngx.Socket+":/nginx_status")}).Fetch(ctx)
		require.NoError(t, err)
		assert.Equal(t, first.Requests+7, st.Requests)
		assert.Equal(t, uint64(1), st.Active)
	})

	t.Run("Host header picks the virtual server", func(t *testing.T) {
		c := &Client{Target: mustParseTarget(t, ngx.URL("/vhost_status")), Header: http.Header{"Host": {"status.internal"}}}
		st, err := c.Fetch(ctx)
		require.NoError(t, err)
		assert.Equal(t, first.Requests+8, st.Requests)
	})

	t.Run("https", func(t *testing.T) {
		addr := "https://127.0.0.1:" + strconv.Itoa(ngx.TLS) + "/nginx_status"
		_, err := (&Client{Target: mustParseTarget(t, addr)}).Fetch(ctx)
		require.Error(t, err, "a self-signed certificate must be refused by default")
		assert.Contains(t, err.Error(), addr+": tls: failed to verify certificate")

		st, err := (&Client{Target: mustParseTarget(t, addr), InsecureSkipVerify: true}).Fetch(ctx)
		require.NoError(t, err)
		assert.Equal(t, first.Requests+9, st.Requests, "the refused handshake made no request")
		assert.Equal(t, first.Accepts+10, st.Accepts, "but it was an accepted connection")
	})

	t.Run("404 for a wrong path", func(t *testing.T) {
		_, err := (&Client{Target: mustParseTarget(t, ngx.URL("/vhost_status"))}).Fetch(ctx)
		require.Error(t, err)
		assert.Equal(t, ngx.URL("/vhost_status")+`: HTTP status "404 Not Found", want 2xx`, err.Error())
	})

	t.Run("200 page that is not stub_status", func(t *testing.T) {
		_, err := (&Client{Target: mustParseTarget(t, ngx.URL("/"))}).Fetch(ctx)
		require.Error(t, err)
		assert.Equal(t, ngx.URL("/")+`: not stub_status output: line 1: want "Active connections: N", got "ok"`, err.Error())
	})

	t.Run("connection refused once nginx is gone", func(t *testing.T) {
		ngx.Stop()
		_, err := (&Client{Target: mustParseTarget(t, ngx.URL("/nginx_status"))}).Fetch(ctx)
		require.Error(t, err)
		u, _ := url.Parse(ngx.URL("/nginx_status"))
		assert.Equal(t, ngx.URL("/nginx_status")+": dial tcp "+u.Host+": connect: connection refused", err.Error())

		_, err = (&Client{Target: mustParseTarget(t, "unix:"+ngx.Socket+":/nginx_status")}).Fetch(ctx)
		require.Error(t, err)
		assert.Equal(t, "unix:"+ngx.Socket+":/nginx_status: dial unix "+ngx.Socket+": connect: no such file or directory", err.Error())
	})
}
