//go:build !windows

package checkredis_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/checkredis"
)

// The servers of this package, each started once: a primary (password,
// an ACL user, TLS, unix socket), its replica, and a replica whose
// primary does not exist (its link stays down; the hang test stops it).
type servers struct {
	primary, replica, orphan *servertest.Redis
}

const (
	password        = "pw-Primary-1"
	monitorPassword = "pw-Monitor-2"
)

var shared servertest.Shared[*servers]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	shared.Close()
	os.Exit(code)
}

func start() (*servers, func(), error) {
	var stops []func()
	stop := func() {
		for _, s := range stops {
			s()
		}
	}
	primary, s, err := servertest.StartRedis(servertest.RedisOptions{Password: password, TLS: true,
		Config: []string{"user monitor on >" + monitorPassword + " ~* +@all", "user limited on >" + monitorPassword + " ~* +@all -info"}})
	if err != nil {
		return nil, nil, err
	}
	stops = append(stops, s)
	replica, s, err := servertest.StartRedis(servertest.RedisOptions{ReplicaOf: primary})
	if err != nil {
		stop()
		return nil, nil, err
	}
	stops = append(stops, s)
	dead, err := servertest.FreePort()
	if err != nil {
		stop()
		return nil, nil, err
	}
	orphan, s, err := servertest.StartRedis(servertest.RedisOptions{ReplicaOf: &servertest.Redis{Port: dead}})
	if err != nil {
		stop()
		return nil, nil, err
	}
	stops = append(stops, s)
	err = servertest.WaitFor(20*time.Second, func() error {
		info, err := replica.Info("replication")
		if err == nil && info["master_link_status"] != "up" {
			err = errors.New("replica link " + info["master_link_status"])
		}
		return err
	})
	if err != nil {
		stop()
		return nil, nil, err
	}
	return &servers{primary, replica, orphan}, stop, nil
}

func get(t *testing.T) *servers { return shared.Get(t, start) }

func port(r *servertest.Redis) string { return strconv.Itoa(r.Port) }

func TestReachable(t *testing.T) {
	s := get(t)
	info, err := s.primary.Info("server")
	require.NoError(t, err)
	version := info["redis_version"]
	require.NotEmpty(t, version)

	h := plugintest.New(t, checkredis.Plugin)
	h.Env["REDIS_PASSWORD"] = password
	for name, args := range map[string][]string{
		"tcp":           {"reachable", "-H", "127.0.0.1", "-p", port(s.primary)},
		"flags first":   {"--host=127.0.0.1", "--port=" + port(s.primary), "reachable"},
		"unix socket":   {"reachable", "-s", s.primary.Socket},
		"tls":           {"reachable", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.TLSPort), "--tls", "--ca-file", s.primary.TLS.CA},
		"tls localhost": {"reachable", "-H", "localhost", "-p", strconv.Itoa(s.primary.TLSPort), "--tls", "--ca-file", s.primary.TLS.CA},
		"tls skip":      {"reachable", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.TLSPort), "--tls", "--tls-skip-verify"},
		"acl user":      {"reachable", "-H", "127.0.0.1", "-p", port(s.primary), "-U", "monitor", "-P", monitorPassword},
		"no password":   {"reachable", "-H", "127.0.0.1", "-p", port(s.replica)},
	} {
		r := h.Run(args...)
		assert.Equal(t, 0, r.Code, "%s: %+v", name, r)
		assert.Equal(t, "Redis OK: version: "+version+"\n", r.Stdout, name)
	}
}

func TestTLSWithoutTheCAIsCritical(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, checkredis.Plugin)
	h.Env["REDIS_PASSWORD"] = password
	r := h.Run("reachable", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.TLSPort), "--tls")
	assert.Equal(t, 2, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "certificate")
	// Plain text to the TLS port: an answer that is not RESP, never a hang.
	r = h.Run("reachable", "-H", "127.0.0.1", "-p", strconv.Itoa(s.primary.TLSPort), "-t", "5")
	assert.Equal(t, 2, r.Code, "%+v", r)
}

func TestAuthentication(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, checkredis.Plugin)
	r := h.Run("reachable", "-H", "127.0.0.1", "-p", port(s.primary))
	assert.Equal(t, 3, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "authentication required")
	assert.Contains(t, r.Stdout, "REDIS_PASSWORD")

	for _, args := range [][]string{
		{"-P", "not-" + password},
		{"-U", "monitor", "-P", "not-" + monitorPassword},
		{"-U", "nobody", "-P", monitorPassword},
	} {
		r := h.Run(append([]string{"reachable", "-H", "127.0.0.1", "-p", port(s.primary)}, args...)...)
		assert.Equal(t, 3, r.Code, "%v: %+v", args, r)
		assert.Contains(t, r.Stdout, "authentication")
		assert.NotContains(t, r.Stdout+r.Stderr, args[len(args)-1], "the password is never shown")
	}

	// An ACL user without INFO: the server answered, the monitoring's
	// user is wrong, so UNKNOWN saying what it lacks.
	r = h.Run("reachable", "-H", "127.0.0.1", "-p", port(s.primary), "-U", "limited", "-P", monitorPassword)
	assert.Equal(t, 3, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "may not run INFO")

	file := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(file, []byte(password+"\n"), 0o600))
	r = h.Run("reachable", "-H", "127.0.0.1", "-p", port(s.primary), "--password-file", file)
	assert.Equal(t, 0, r.Code, "%+v", r)
}

func TestReplication(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, checkredis.Plugin)
	h.Env["REDIS_PASSWORD"] = password
	primary := []string{"-H", "127.0.0.1", "-p", port(s.primary)}

	r := h.Run(append([]string{"replication"}, primary...)...)
	assert.Equal(t, 3, r.Code, "%+v", r)
	assert.Equal(t, "Redis UNKNOWN: couldn't get master_link_status: role is master, not slave (use replication --skip-master to make that OK)\n", r.Stdout)
	r = h.Run(append([]string{"slave"}, primary...)...)
	assert.Equal(t, 3, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "role is master")
	r = h.Run(append([]string{"replication", "--skip-master"}, primary...)...)
	assert.Equal(t, 0, r.Code, "%+v", r)
	assert.Equal(t, "Redis OK: role is not slave\n", r.Stdout)

	for _, sub := range []string{"replication", "slave"} {
		r = h.Run(sub, "-H", "127.0.0.1", "-p", port(s.replica))
		assert.Equal(t, 0, r.Code, "%+v", r)
		assert.Equal(t, "Redis OK: master_link_status: up\n", r.Stdout)
		r = h.Run(sub, "-H", "127.0.0.1", "-p", port(s.orphan))
		assert.Equal(t, 2, r.Code, "%+v", r)
		assert.True(t, strings.HasPrefix(r.Stdout, "Redis CRITICAL: master_link_status: down\n"), r.Stdout)
	}
	// --skip-master does not hide a replica's broken link.
	r = h.Run("replication", "--skip-master", "-H", "127.0.0.1", "-p", port(s.orphan))
	assert.Equal(t, 2, r.Code, "%+v", r)
}

func TestDown(t *testing.T) {
	free, err := servertest.FreePort()
	require.NoError(t, err)
	h := plugintest.New(t, checkredis.Plugin)
	r := h.Run("reachable", "-H", "127.0.0.1", "-p", strconv.Itoa(free))
	assert.Equal(t, 2, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "Redis CRITICAL: couldn't connect")
	assert.Contains(t, r.Stdout, "refused")
	r = h.Run("replication", "-H", "127.0.0.1", "-p", strconv.Itoa(free))
	assert.Equal(t, 3, r.Code, "%+v", r)
	r = h.Run("reachable", "-s", filepath.Join(t.TempDir(), "no.sock"))
	assert.Equal(t, 2, r.Code, "%+v", r)
}

// The original waits forever for a server that accepted the connection
// and stopped answering; a run here ends within -t, saying so.
func TestStoppedServerEndsWithinTimeout(t *testing.T) {
	s := get(t)
	pid := s.orphan.Process.Cmd.Process.Pid
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	defer syscall.Kill(pid, syscall.SIGCONT)
	bin := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-redis")
	for _, sub := range []string{"reachable", "replication"} {
		start := time.Now()
		h := plugintest.New(t, checkredis.Plugin)
		r := h.Run(sub, "-H", "127.0.0.1", "-p", port(s.orphan), "-t", "2")
		elapsed := time.Since(start)
		assert.Less(t, elapsed, 4*time.Second, sub) // -t 2; slack for a loaded CI machine
		assert.Greater(t, elapsed, time.Second, sub)
		assert.NotEqual(t, 0, r.Code, "%+v", r)
		assert.Contains(t, r.Stdout, "no answer before the deadline", sub)
	}
	// And as a real process, as the agent runs it.
	start := time.Now()
	out, err := runBinary(bin, "reachable", "-H", "127.0.0.1", "-p", port(s.orphan), "-t", "2")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Contains(t, out, "Redis CRITICAL: couldn't execute INFO")
	var ee *exitError
	if errors.As(err, &ee) {
		assert.Equal(t, 2, ee.code)
	}
}

func TestFlagErrors(t *testing.T) {
	h := plugintest.New(t, checkredis.Plugin)
	for args, want := range map[string]string{
		"":                            "reachable|replication|slave",
		"ping":                        `unknown subcommand "ping"`,
		"reachable --skip-master":     "--skip-master applies to the replication subcommand only",
		"reachable -p 70000":          "--port 70000",
		"reachable --tls-skip-verify": "need --tls",
	} {
		r := h.Run(strings.Fields(args)...)
		assert.Equal(t, 3, r.Code, "%q: %+v", args, r)
		assert.True(t, strings.HasPrefix(r.Stdout, "Redis UNKNOWN: "), r.Stdout)
		assert.Contains(t, r.Stdout, want)
	}
	r := h.Run("reachable", "-P", "hunter2", "--help")
	assert.NotContains(t, r.Stdout, "hunter2")
}
