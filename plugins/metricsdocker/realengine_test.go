//go:build linux

package metricsdocker

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// The memory gauges are what the engine reports and what the container's
// cgroup says: total_rss and total_cache on cgroup v1, anon and file on
// v2.
func TestRealMemory(t *testing.T) {
	f := docker.Get(t, startEngine)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	v := h.RunValues(args...)
	s := f.stats(t, f.sleeper)
	cg := f.cgroupFile(t, f.sleeper, "memory", "memory.stat")
	rss, cache := "total_rss", "total_cache"
	if cgroupV2() {
		rss, cache = "anon", "file"
	}
	require.Contains(t, v, "docker.memory.sleeper.rss")
	assert.Equal(t, s.memory[rss], v["docker.memory.sleeper.rss"], "rss as the engine reports it")
	assert.Equal(t, s.memory[cache], v["docker.memory.sleeper.cache"])
	assert.Equal(t, cg[rss], v["docker.memory.sleeper.rss"], "rss as the cgroup's memory.stat says")
	assert.Equal(t, cg[cache], v["docker.memory.sleeper.cache"])
	assert.Positive(t, v["docker.memory.sleeper.rss"], "a running sleep has some memory")
	assert.Contains(t, v, "docker.memory.writer.rss")
}

// burn spends about 0.2 s of CPU inside the container.
func (f *engineFixture) burn(t *testing.T, id string) {
	t.Helper()
	if _, err := f.CLI("exec", id, "sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"); err != nil {
		t.Fatal(err)
	}
}

// CPU: with -cpu-format usage the rates are the engine's CPU times'
// growth (per minute: the fake clock moves one minute); with percentage,
// the growth over the host's, times the CPUs, within the bounds the
// test's own readings before and after each run give.
func TestRealCPU(t *testing.T) {
	f := docker.Get(t, startEngine)
	usage := plugintest.New(t, Plugin)
	uargs := []string{"-host", f.Host, "-name-format", "name", "-cpu-format", "usage"}
	percent := plugintest.New(t, Plugin)
	pargs := []string{"-host", f.Host, "-name-format", "name"}

	s0 := f.stats(t, f.sleeper)
	usage.RunValues(uargs...)
	percent.RunValues(pargs...)
	s1 := f.stats(t, f.sleeper)
	f.burn(t, f.sleeper)
	s2 := f.stats(t, f.sleeper)
	usage.Advance(time.Minute)
	percent.Advance(time.Minute)
	u := usage.RunValues(uargs...)
	p := percent.RunValues(pargs...)
	s3 := f.stats(t, f.sleeper)

	require.Equal(t, s0.user, s1.user, "the sleeper is idle between the test's readings")
	require.Equal(t, s2.user, s3.user)
	cg := f.cgroupFile(t, f.sleeper, "cpuacct", "cpuacct.stat")
	if !cgroupV2() {
		// cgroup v1: cpuacct.stat counts USER_HZ (100/s) ticks; the engine
		// reports them in nanoseconds.
		assert.Equal(t, cg["user"]*1e7, s3.user, "the engine reports the cgroup's user time")
	}
	dUser, dSystem := s2.user-s1.user, s2.system-s1.system
	require.Positive(t, dUser+dSystem, "the burn was counted")
	assert.Equal(t, dUser, u["docker.cpuacct.sleeper.user"], "user ns per minute")
	assert.Equal(t, dSystem, u["docker.cpuacct.sleeper.system"])
	assert.NotContains(t, u, "docker.cpuacct_percentage.sleeper.user")

	scale := s1.ncpu * 100
	lo, hi := dUser/(s3.host-s0.host)*scale, dUser/(s2.host-s1.host)*scale
	assert.GreaterOrEqual(t, p["docker.cpuacct_percentage.sleeper.user"], lo)
	assert.LessOrEqual(t, p["docker.cpuacct_percentage.sleeper.user"], hi)
	assert.Positive(t, p["docker.cpuacct_percentage.sleeper.user"])
	assert.NotContains(t, p, "docker.cpuacct.sleeper.user")
	t.Logf("sleeper: %.0f ns user in the burn; %.3f%% of one CPU (bounds %.3f..%.3f)", dUser, p["docker.cpuacct_percentage.sleeper.user"], lo, hi)
}

// Block I/O: bytes per minute and operations per second are the growth
// of the engine's counts, which are the cgroup's blkio counts.
func TestRealBlkio(t *testing.T) {
	f := docker.Get(t, startEngine)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	s1 := f.stats(t, f.writer)
	h.RunValues(args...)
	if _, err := f.CLI("exec", f.writer, "sh", "-c",
		"dd if=/dev/zero of=/tmp/f bs=64k count=64 oflag=direct 2>/dev/null && dd if=/tmp/f of=/dev/null bs=64k iflag=direct 2>/dev/null && rm /tmp/f"); err != nil {
		t.Fatal(err)
	}
	s2 := f.stats(t, f.writer)
	h.Advance(time.Minute)
	v := h.RunValues(args...)
	if !f.blkio {
		t.Log("the engine's directory is on no block device: I/O is not accounted here")
	}
	t.Logf("writer: bytes %v -> %v, operations %v -> %v", s1.serviceBytes, s2.serviceBytes, s1.serviced, s2.serviced)
	if f.blkio || len(s2.serviceBytes) > 0 {
		require.NotEmpty(t, s2.serviceBytes, "a throttled container's I/O is counted")
		if !cgroupV2() {
			cg := f.cgroupFile(t, f.writer, "blkio", "blkio.throttle.io_service_bytes_recursive")
			for op, n := range s2.serviceBytes {
				assert.Equal(t, cg[op], n, "%s bytes: the engine reports the cgroup's", op)
			}
		}
		assert.GreaterOrEqual(t, s2.serviceBytes["write"]-s1.serviceBytes["write"], float64(4<<20), "4 MiB written directly")
	}
	for op, n := range s2.serviceBytes {
		assert.Equal(t, n-s1.serviceBytes[op], v["docker.blkio.io_service_bytes.writer."+op], "%s bytes in the minute", op)
	}
	for op, n := range s2.serviced {
		assert.InDelta(t, (n-s1.serviced[op])/60, v["docker.blkio.io_serviced.writer."+op], 1e-9, "%s operations per second", op)
	}
	for _, op := range blkioOps {
		if _, ok := s2.serviceBytes[op]; !ok {
			assert.NotContains(t, v, "docker.blkio.io_service_bytes.writer."+op, "not counted, not printed")
		}
	}
	if s2.queued == 0 {
		for k := range v {
			assert.NotContains(t, k, "io_queued", "the engine has no queue numbers here; none made up")
		}
	}
}

// The name formats give the original's names for real containers.
func TestRealNames(t *testing.T) {
	f := docker.Get(t, startEngine)
	for _, c := range []struct {
		args []string
		want []string // expected container segments
	}{
		{nil, []string{"sleeper_" + f.sleeper[:6], "writer_" + f.writer[:6]}},
		{[]string{"-name-format", "id"}, []string{f.sleeper, f.writer}},
		{[]string{"-name-format", "image_name"}, []string{"tinybox_1_sleeper", "tinybox_1_writer"}},
		{[]string{"-name-format", "image_id"}, []string{"tinybox_1_" + f.sleeper[:6], "tinybox_1_" + f.writer[:6]}},
		{[]string{"-name-format", "label", "-label", "team"}, []string{"web"}},
		{[]string{"--exclude", "w*"}, []string{"sleeper_" + f.sleeper[:6]}},
	} {
		h := plugintest.New(t, Plugin)
		args := append([]string{"-host", f.Host}, c.args...)
		v := h.RunValues(args...)
		var got []string
		for k := range v {
			if n, ok := strings.CutSuffix(strings.TrimPrefix(k, "docker.memory."), ".rss"); ok && strings.HasPrefix(k, "docker.memory.") {
				got = append(got, n)
			}
		}
		assert.ElementsMatch(t, c.want, got, "%v", c.args)
	}
}

// A container that is removed, or stops, between the list and its stats
// — on a real engine, through a proxy that removes it just before
// passing its stats request on — is left out with a note; the others are
// printed.
func TestRealContainerGone(t *testing.T) {
	f := docker.Get(t, startEngine)
	for _, how := range []string{"rm", "kill"} {
		t.Run(how, func(t *testing.T) {
			victim, err := f.CLI("run", "-d", "--network", "none", "--name", "victim-"+how, f.Image, "/bin/sleep", "3600")
			require.NoError(t, err)
			defer f.CLI("rm", "-f", victim)
			proxy := f.proxy(t, func(r *http.Request) {
				if strings.Contains(r.URL.Path, victim) {
					args := []string{"rm", "-f", victim}
					if how == "kill" {
						args = []string{"kill", victim}
					}
					if _, err := f.CLI(args...); err != nil {
						t.Error(err)
					}
				}
			})
			h := plugintest.New(t, Plugin)
			args := []string{"-host", proxy, "-name-format", "name"}
			r := h.Run(args...)
			v := h.Values(r, args...)
			assert.Contains(t, r.Stderr, "container victim-"+how+" ("+victim[:6]+") is no longer running; left out")
			assert.Contains(t, v, "docker.memory.sleeper.rss")
			assert.NotContains(t, v, "docker.memory.victim-"+how+".rss")
		})
	}
	// The engine's own answers the plugin reads as "gone".
	e, err := newEngine(f.Host)
	require.NoError(t, err)
	_, err = e.stats(context.Background(), "no-such-container")
	assert.True(t, errors.Is(err, errGone), "404: %v", err)
}

// proxy serves the engine's API on another unix socket, calling before
// on each stats request before passing it on.
func (f *engineFixture) proxy(t *testing.T, before func(*http.Request)) string {
	t.Helper()
	dir, err := servertest.TempDir("dockerproxy")
	require.NoError(t, err)
	sock := filepath.Join(dir, "proxy.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "docker"})
	rp.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", f.Socket)
	}}
	var mu sync.Mutex
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stats") {
			mu.Lock()
			before(r)
			mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		os.RemoveAll(dir)
	})
	return "unix://" + sock
}

// The multi-call binary answers to mackerel-plugin-docker, the name agent
// configurations written for the Mackerel plugin call, with its one-dash
// "-flag=value" spelling and -tempfile.
func TestRealBinaryAnswersToMackerelName(t *testing.T) {
	f := docker.Get(t, startEngine)
	teko := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/teko")
	dir := t.TempDir()
	link := filepath.Join(dir, "mackerel-plugin-docker")
	require.NoError(t, os.Symlink(teko, link))
	state := filepath.Join(dir, "state")
	require.NoError(t, os.Mkdir(state, 0o700))
	cmd := exec.Command(link, "-host="+f.Host, "-name-format=name", "-tempfile="+filepath.Join(state, "mackerel-plugin-docker"))
	cmd.Env = []string{"LANG=C", "LC_ALL=C", "MACKEREL_AGENT_PLUGIN_META="}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), errOut.String())
	rss := f.stats(t, f.sleeper).memory["total_rss"]
	if cgroupV2() {
		rss = f.stats(t, f.sleeper).memory["anon"]
	}
	assert.Regexp(t, `(?m)^docker\.memory\.sleeper\.rss\t`+strconv.FormatFloat(rss, 'f', -1, 64)+`\t\d+$`, out.String())
	entries, err := os.ReadDir(state)
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "the state is kept in -tempfile's directory")
}
