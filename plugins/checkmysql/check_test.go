package checkmysql

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func TestUptimeMatchesTheServer(t *testing.T) {
	s := getPair(t)
	r := run(t, append([]string{"uptime"}, tcp(s.primary)...)...)
	require.Equal(t, 0, r.Code, r.Stdout)
	want := statusOf(t, s.primary, "Uptime")
	m := regexp.MustCompile(`^MySQL Uptime OK: up (\d+) days, (\d\d):(\d\d):(\d\d)\n$`).FindStringSubmatch(r.Stdout)
	require.NotNil(t, m, r.Stdout)
	var parts [4]int64
	for i := range parts {
		parts[i], _ = strconv.ParseInt(m[i+1], 10, 64)
	}
	got := parts[0]*86400 + parts[1]*3600 + parts[2]*60 + parts[3]
	assert.InDelta(t, want, got, 2)

	r = run(t, append([]string{"uptime", "-w", "100000"}, tcp(s.primary)...)...)
	assert.Equal(t, 1, r.Code, r.Stdout) // up less than 100000 s
	r = run(t, append([]string{"uptime", "-c", "100000"}, tcp(s.primary)...)...)
	assert.Equal(t, 2, r.Code, r.Stdout)
	r = run(t, "uptime", "--format", "nagios", "-S", s.primary.Socket)
	assert.Regexp(t, `^MySQL Uptime OK: up .* \| uptime=\d+s\n$`, r.Stdout)
}

func TestReadonly(t *testing.T) {
	s := getPair(t)
	r := run(t, append([]string{"readonly", "OFF"}, tcp(s.primary)...)...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "MySQL Readonly OK: read_only is the expected value (OFF)\n", r.Stdout)
	r = run(t, append([]string{"readonly", "ON"}, tcp(s.primary)...)...)
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Equal(t, "MySQL Readonly CRITICAL: the expected value of read_only is different. readOnlyStatus:OFF\n", r.Stdout)
	r = run(t, append(tcp(s.primary), "readonly")...)
	assert.Equal(t, 3, r.Code, r.Stdout) // the expected value is required
	r = run(t, "readonly", "maybe", "-S", s.primary.Socket)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, `"maybe": want ON or OFF`)
}

func TestConnectionMatchesThreadsConnected(t *testing.T) {
	s := getPair(t)
	// The mariadb client's own connection counts as the plugin's does.
	// A connection that has just ended may still be counted for a
	// moment: compare again until the two agree or 5 s have passed.
	var want int64
	var r plugintest.Result
	_ = servertest.WaitFor(5*time.Second, func() error {
		want = statusOf(t, s.primary, "Threads_connected")
		r = run(t, append([]string{"connection"}, tcp(s.primary)...)...)
		if r.Stdout != fmt.Sprintf("MySQL Connection OK: %d connections\n", want) {
			return assert.AnError
		}
		return nil
	})
	require.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, fmt.Sprintf("MySQL Connection OK: %d connections\n", want), r.Stdout)
	r = run(t, append([]string{"connection", "-w", "0", "-c", "100"}, tcp(s.primary)...)...)
	assert.Equal(t, 1, r.Code, r.Stdout)
	r = run(t, append([]string{"connection", "-w", "0", "-c", "0"}, tcp(s.primary)...)...)
	assert.Equal(t, 2, r.Code, r.Stdout)
}

func TestPasswordSources(t *testing.T) {
	s := getPair(t)
	base := []string{"connection", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.Port), "-u", "mon"}

	h := plugintest.New(t, Plugin)
	h.Env["MYSQL_PASSWORD"] = monPassword
	r := h.Run(base...)
	assert.Equal(t, 0, r.Code, r.Stdout)

	file := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(file, []byte(monPassword+"\n"), 0o600))
	r = run(t, append(base, "--password-file", file)...)
	assert.Equal(t, 0, r.Code, r.Stdout)

	help := run(t, "connection", "--help")
	assert.Equal(t, 0, help.Code)
	assert.Contains(t, help.Stdout, "--password-file")
}

func TestWrongPasswordIsUnknownNamingTheLogin(t *testing.T) {
	s := getPair(t)
	r := run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.Port), "-u", "mon", "-P", "wrong secret")
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, fmt.Sprintf("login mon@127.0.0.1:%d refused", s.primary.Port))
	assert.NotContains(t, r.Stdout+r.Stderr, "wrong secret")
}

func TestServerDownIsCritical(t *testing.T) {
	port := closedPort(t)
	for sub, title := range map[string]string{"uptime": "Uptime", "readonly": "Readonly", "replication": "Replication", "connection": "Connection"} {
		args := []string{sub}
		if sub == "readonly" {
			args = append(args, "OFF")
		}
		r := run(t, append(args, "-H", "127.0.0.1", "-p", strconv.Itoa(port), "-P", "hunter2")...)
		assert.Equal(t, 2, r.Code, "%v: %s", sub, r.Stdout)
		// The original's title: "MySQL" and the subcommand.
		assert.Contains(t, r.Stdout, "MySQL "+title+" CRITICAL: cannot connect to 127.0.0.1:"+strconv.Itoa(port))
		assert.Contains(t, r.Stdout, "connection refused")
		assert.NotContains(t, r.Stdout, "hunter2")
	}
	r := run(t, "uptime", "-S", filepath.Join(t.TempDir(), "no.sock"))
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "no.sock")
}

func TestSilentServerEndsWithinTimeout(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	start := time.Now()
	r := run(t, "uptime", "-H", "127.0.0.1", "-p", port, "-t", "2")
	elapsed := time.Since(start)
	assert.Less(t, elapsed, 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Regexp(t, `^MySQL Uptime CRITICAL: no answer from 127\.0\.0\.1:`+port+` within 1\.\ds\n$`, r.Stdout)
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nosuch"}, {"uptime", "-p", "0"}, {"uptime", "-p", "x"}, {"connection", "extra"}} {
		r := run(t, args...)
		assert.Equal(t, 3, r.Code, "%q: %s", args, r.Stdout)
		assert.Regexp(t, `^MySQL (Uptime |Connection )?UNKNOWN: `, r.Stdout)
	}
}

// The server offers TLS with a certificate for 127.0.0.1 from its own CA.
func TestTLS(t *testing.T) {
	s := getPair(t)
	base := append([]string{"uptime"}, tcp(s.primary)...)
	r := run(t, append(base, "--tls", "--tls-root-cert", s.primary.CACert)...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, append(base, "--tls", "--tls-skip-verify")...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	// Without the CA the certificate cannot be verified: TLS really was
	// negotiated.
	r = run(t, append(base, "--tls")...)
	assert.NotEqual(t, 0, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "certificate")
	r = run(t, append(base, "--tls", "--tls-root-cert", filepath.Join(t.TempDir(), "none.pem"))...)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "--tls-root-cert")
}
