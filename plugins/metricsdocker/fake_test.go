//go:build unix

package metricsdocker

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// fakeEngine is a stand-in Docker Engine API on a unix socket, for what
// a real engine will not do on demand: hang, answer garbage, lose a
// container between list and stats, or speak cgroup v2.
type fakeEngine struct {
	Socket string
	Host   string // unix://Socket

	mu         sync.Mutex
	containers string                                        // the list's JSON
	stats      map[string]func() string                      // by container ID: the stats JSON
	handler    func(http.ResponseWriter, *http.Request) bool // may take over a request
}

func newFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	dir, err := servertest.TempDir("fakedocker")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := &fakeEngine{Socket: filepath.Join(dir, "docker.sock"), stats: map[string]func() string{}}
	f.Host = "unix://" + f.Socket
	l, err := net.Listen("unix", f.Socket)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return f
}

func (f *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	h, list := f.handler, f.containers
	f.mu.Unlock()
	if h != nil && h(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/containers/json" {
		fmt.Fprint(w, list)
		return
	}
	id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/containers/"), "/stats")
	f.mu.Lock()
	s := f.stats[id]
	f.mu.Unlock()
	if !ok || s == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No such container: %s"}`, id)
		return
	}
	fmt.Fprint(w, s())
}

// set lists the containers with the given stats.
func (f *fakeEngine) set(list string, stats map[string]func() string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers, f.stats = list, stats
}

const (
	idA = "aaaaaa1111111111111111111111111111111111111111111111111111111111"
	idB = "bbbbbb2222222222222222222222222222222222222222222222222222222222"
)

var twoContainers = fmt.Sprintf(`[{"Id":%q,"Names":["/web.1"],"Image":"nginx:1.25","Labels":{"svc":"front"},"Created":100},`+
	`{"Id":%q,"Names":["/db"],"Image":"mariadb:11","Labels":{},"Created":200}]`, idA, idB)

// v1Stats is a cgroup v1 engine's answer (shape of docker 20.10's).
func v1Stats(user, system, host, rss, cache, readBytes, reads uint64) func() string {
	return func() string {
		return fmt.Sprintf(`{"read":"2026-12-01T00:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":%d,"percpu_usage":[1,2],"usage_in_kernelmode":%d,"usage_in_usermode":%d},"system_cpu_usage":%d,"online_cpus":2},`+
			`"memory_stats":{"usage":1,"stats":{"rss":1,"cache":2,"total_rss":%d,"total_cache":%d}},`+
			`"blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":%d},{"major":8,"minor":16,"op":"Read","value":%d},{"major":8,"minor":0,"op":"Total","value":9}],`+
			`"io_serviced_recursive":[{"major":8,"minor":0,"op":"Read","value":%d},{"major":8,"minor":0,"op":"Write","value":0}],"io_queue_recursive":[{"major":8,"minor":0,"op":"Read","value":3}]}}`,
			user+system, system, user, host, rss, cache, readBytes, readBytes, reads)
	}
}

// v2Stats is a cgroup v2 engine's answer: memory as anon and file, no
// per-CPU list, block I/O bytes only, with lower-case operations (moby's
// statsV2), the other block I/O lists null.
func v2Stats(userUsec, systemUsec, host, anon, file, rbytes, wbytes uint64) func() string {
	return func() string {
		return fmt.Sprintf(`{"read":"2026-12-01T00:00:00Z","cpu_stats":{"cpu_usage":{"total_usage":%d,"usage_in_kernelmode":%d,"usage_in_usermode":%d},"system_cpu_usage":%d,"online_cpus":4},`+
			`"memory_stats":{"usage":9,"stats":{"anon":%d,"file":%d,"kernel_stack":16384,"active_file":1}},`+
			`"blkio_stats":{"io_service_bytes_recursive":[{"major":259,"minor":0,"op":"read","value":%d},{"major":259,"minor":0,"op":"write","value":%d}],"io_serviced_recursive":null,"io_queue_recursive":null}}`,
			(userUsec+systemUsec)*1000, systemUsec*1000, userUsec*1000, host, anon, file, rbytes, wbytes)
	}
}

func TestCgroupV1Values(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	f.set(twoContainers, map[string]func() string{
		idA: v1Stats(1_000_000_000, 500_000_000, 100_000_000_000, 4096, 8192, 1000, 10),
		idB: v1Stats(0, 0, 100_000_000_000, 1, 2, 0, 0),
	})
	v := h.Values(h.Run(args...), args...)
	assert.Equal(t, map[string]float64{
		"docker.memory.web_1.rss": 4096, "docker.memory.web_1.cache": 8192,
		"docker.memory.db.rss": 1, "docker.memory.db.cache": 2,
		"docker.blkio.io_queued.web_1.read": 3, "docker.blkio.io_queued.db.read": 3,
	}, v, "first run: gauges only; the queue summed over devices")

	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{
		// web.1 used 0.5 s user and 0.25 s system of the host's 60 s × 2 CPUs.
		idA: v1Stats(1_500_000_000, 750_000_000, 220_000_000_000, 4096, 8192, 61_000, 70),
		idB: v1Stats(0, 0, 220_000_000_000, 1, 2, 0, 0),
	})
	v = h.Values(h.Run(args...), args...)
	assert.InDelta(t, 0.5/120*2*100, v["docker.cpuacct_percentage.web_1.user"], 1e-9)
	assert.InDelta(t, 0.25/120*2*100, v["docker.cpuacct_percentage.web_1.system"], 1e-9)
	assert.Equal(t, 0.0, v["docker.cpuacct_percentage.db.user"])
	assert.Equal(t, 120_000.0, v["docker.blkio.io_service_bytes.web_1.read"], "two devices of 60000 bytes each in a minute")
	assert.Equal(t, 1.0, v["docker.blkio.io_serviced.web_1.read"], "60 reads in a minute: 1 per second")
	assert.Equal(t, 0.0, v["docker.blkio.io_serviced.web_1.write"])
	assert.NotContains(t, v, "docker.blkio.io_serviced.web_1.sync", "no entry, no made-up 0")
	assert.NotContains(t, v, "docker.cpuacct.web_1.user", "usage graphs only with -cpu-format usage")
}

func TestCgroupV2Values(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "id", "-cpu-format", "usage"}
	list := fmt.Sprintf(`[{"Id":%q,"Names":["/app"],"Image":"app:2","Labels":null,"Created":1}]`, idA)
	f.set(list, map[string]func() string{idA: v2Stats(2_000_000, 1_000_000, 1_000_000_000_000, 1<<20, 1<<22, 4096, 8192)})
	v := h.Values(h.Run(args...), args...)
	assert.Equal(t, map[string]float64{"docker.memory." + idA + ".rss": 1 << 20, "docker.memory." + idA + ".cache": 1 << 22}, v,
		"cgroup v2: rss is anon and cache is file")

	h.Advance(2 * time.Minute)
	f.set(list, map[string]func() string{idA: v2Stats(2_600_000, 1_100_000, 1_240_000_000_000, 1<<20, 1<<22, 4096+1200, 8192+2400)})
	v = h.Values(h.Run(args...), args...)
	assert.Equal(t, map[string]float64{
		"docker.memory." + idA + ".rss":                   1 << 20,
		"docker.memory." + idA + ".cache":                 1 << 22,
		"docker.cpuacct." + idA + ".user":                 300_000_000, // 0.6 s of CPU in 2 minutes: 0.3 s a minute, in ns
		"docker.cpuacct." + idA + ".system":               50_000_000,
		"docker.blkio.io_service_bytes." + idA + ".read":  600,
		"docker.blkio.io_service_bytes." + idA + ".write": 1200,
	}, v, "cgroup v2: read and write bytes only; no queued, serviced, sync or async made up")

	// The percentage form of the same numbers.
	hp := plugintest.New(t, Plugin)
	pargs := []string{"-host", f.Host}
	hp.Run(pargs...)
	hp.Advance(time.Minute)
	f.set(list, map[string]func() string{idA: v2Stats(3_200_000, 1_200_000, 1_480_000_000_000, 1, 1, 1, 1)})
	v = hp.Values(hp.Run(pargs...), pargs...)
	assert.InDelta(t, 0.6/240*4*100, v["docker.cpuacct_percentage.app_aaaaaa.user"], 1e-9, "%v", v)
	assert.InDelta(t, 0.1/240*4*100, v["docker.cpuacct_percentage.app_aaaaaa.system"], 1e-9)
}

// A container removed between the list and its stats (404) is left out
// with a note; the others are printed and the run succeeds.
func TestContainerGoneBetweenListAndStats(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	f.set(twoContainers, map[string]func() string{idB: v1Stats(1, 1, 1, 10, 20, 0, 0)}) // web.1's stats: 404
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.Equal(t, 10.0, v["docker.memory.db.rss"])
	assert.NotContains(t, strings.Join(keys(v), " "), "web_1")
	assert.Contains(t, r.Stderr, "web.1 (aaaaaa) is no longer running; left out")

	// A container that stopped: the engine answers 200 with empty stats.
	f.set(twoContainers, map[string]func() string{
		idA: func() string { return fmt.Sprintf(`{"read":"0001-01-01T00:00:00Z","name":"/web.1","id":%q}`, idA) },
		idB: v1Stats(1, 1, 1, 10, 20, 0, 0),
	})
	r = h.Run(args...)
	v = h.Values(r, args...)
	assert.Contains(t, r.Stderr, "web.1 (aaaaaa) is no longer running; left out")
	assert.NotContains(t, v, "docker.memory.web_1.rss", "an empty answer is not a container with 0 bytes")
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A hung engine ends the run within --timeout, the message naming the
// socket; nothing is printed on stdout.
func TestHungEngine(t *testing.T) {
	for _, stage := range []string{"list", "stats"} {
		t.Run(stage, func(t *testing.T) {
			f := newFakeEngine(t)
			f.set(twoContainers, map[string]func() string{idA: v1Stats(1, 1, 1, 1, 1, 0, 0), idB: v1Stats(1, 1, 1, 1, 1, 0, 0)})
			f.handler = func(w http.ResponseWriter, r *http.Request) bool {
				if stage == "list" || strings.HasSuffix(r.URL.Path, "/stats") {
					<-r.Context().Done()
					return true
				}
				return false
			}
			h := plugintest.New(t, Plugin)
			start := time.Now()
			r := h.Run("-host", f.Host, "--timeout", "2s")
			took := time.Since(start)
			// Within --timeout (with slack for a loaded machine), and by the
			// plugin's own deadline: the message names the socket, not the
			// runtime's bare "timed out".
			assert.Less(t, took, 3*time.Second, "ends within --timeout")
			assert.Equal(t, 3, r.Code)
			assert.Empty(t, r.Stdout)
			assert.Contains(t, r.Stderr, "unix:"+f.Socket+":/containers/")
			assert.Contains(t, r.Stderr, "no complete response within")
			if stage == "stats" {
				assert.Contains(t, r.Stderr, "no container's stats could be read")
			}
		})
	}
}

func TestBadAnswers(t *testing.T) {
	for name, c := range map[string]struct {
		list, stats string
		status      int
		wantCode    int
		want        string
	}{
		"garbage list":      {list: "<html>hello</html>", wantCode: 3, want: `not the Docker Engine API's JSON`},
		"list of strangers": {list: `[{"Names":["/x"]}]`, wantCode: 3, want: "without an Id"},
		"server error":      {list: `{"message":"client version 1.99 is too new"}`, status: 500, wantCode: 3, want: "500 Internal Server Error: client version 1.99 is too new"},
		"garbage stats":     {list: twoContainers, stats: `{"read": 12`, wantCode: 3, want: "no container's stats could be read: unix:"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeEngine(t)
			f.handler = func(w http.ResponseWriter, r *http.Request) bool {
				if c.status != 0 {
					w.WriteHeader(c.status)
				}
				if r.URL.Path == "/containers/json" {
					fmt.Fprint(w, c.list)
				} else {
					fmt.Fprint(w, c.stats)
				}
				return true
			}
			r := plugintest.New(t, Plugin).Run("-host", f.Host)
			assert.Equal(t, c.wantCode, r.Code)
			assert.Empty(t, r.Stdout)
			assert.Contains(t, r.Stderr, c.want)
		})
	}
}

// One container whose stats are garbage does not take the others down.
func TestOneBadContainer(t *testing.T) {
	f := newFakeEngine(t)
	f.set(twoContainers, map[string]func() string{
		idA: func() string { return "not json" },
		idB: v1Stats(1, 1, 1, 5, 6, 0, 0),
	})
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.Equal(t, 5.0, v["docker.memory.db.rss"])
	assert.Contains(t, r.Stderr, "container web.1 (aaaaaa) left out: unix:"+f.Socket+":/containers/"+idA+"/stats")
}

// A container whose CPU time went down restarted: its percentage is left
// out for a run instead of a spike (mackerel-agent-plugins#1100), the
// others are printed.
func TestRestartedContainer(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	f.set(twoContainers, map[string]func() string{idA: v1Stats(9e9, 9e9, 1e11, 1, 1, 500, 50), idB: v1Stats(1, 1, 1e11, 1, 1, 0, 0)})
	h.Run(args...)
	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(1e8, 1e7, 2e11, 1, 1, 10, 1), idB: v1Stats(1, 1, 2e11, 1, 1, 0, 0)})
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.NotContains(t, v, "docker.cpuacct_percentage.web_1.user")
	assert.NotContains(t, v, "docker.blkio.io_serviced.web_1.read")
	assert.NotContains(t, v, "docker.blkio.io_service_bytes.web_1.read")
	assert.Contains(t, v, "docker.cpuacct_percentage.db.user")
	assert.Contains(t, r.Stderr, "web_1: CPU percentage and I/O operation rates left out: its counts went down (the container restarted)")

	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(1e8+6e8, 1e7, 3e11, 1, 1, 10, 1), idB: v1Stats(1, 1, 3e11, 1, 1, 0, 0)})
	v = h.Values(h.Run(args...), args...)
	assert.InDelta(t, 0.6/100*2*100, v["docker.cpuacct_percentage.web_1.user"], 1e-9, "counted again from the restart")
}

func TestNameFormatsAndFilters(t *testing.T) {
	f := newFakeEngine(t)
	list := fmt.Sprintf(`[{"Id":%q,"Names":["/web.1"],"Image":"nginx:1.25","Labels":{"svc":"front"},"Created":100},`+
		`{"Id":%q,"Names":["/web.2"],"Image":"nginx:1.25","Labels":{},"Created":50}]`, idA, idB)
	f.set(list, map[string]func() string{idA: v1Stats(1, 1, 1, 1, 1, 0, 0), idB: v1Stats(1, 1, 1, 2, 2, 0, 0)})
	for _, c := range []struct {
		args  []string
		names []string
		note  string
	}{
		{nil, []string{"web_1_aaaaaa", "web_2_bbbbbb"}, ""},
		{[]string{"-name-format", "name"}, []string{"web_1", "web_2"}, ""},
		{[]string{"-name-format", "id"}, []string{idA, idB}, ""},
		{[]string{"-name-format", "image"}, []string{"nginx_1_25"}, `container web.1 (aaaaaa) left out: its name "nginx_1_25" under -name-format image is web.2's already`},
		{[]string{"-name-format", "image_id"}, []string{"nginx_1_25_aaaaaa", "nginx_1_25_bbbbbb"}, ""},
		{[]string{"-name-format", "image_name"}, []string{"nginx_1_25_web_1", "nginx_1_25_web_2"}, ""},
		{[]string{"-name-format", "label", "-label", "svc"}, []string{"front"}, `container web.2 (bbbbbb) left out: it has no label "svc"`},
		{[]string{"--include", "web.1"}, []string{"web_1_aaaaaa"}, ""},
		{[]string{"--include", "web.*", "--exclude", "*.2"}, []string{"web_1_aaaaaa"}, ""},
		{[]string{"--exclude", "web.?"}, nil, ""},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			h := plugintest.New(t, Plugin)
			args := append([]string{"-host", f.Host}, c.args...)
			r := h.Run(args...)
			v := h.Values(r, args...)
			var want []string
			for _, n := range c.names {
				want = append(want, "docker.memory."+n+".cache", "docker.memory."+n+".rss")
			}
			var got []string
			for _, k := range keys(v) {
				if strings.HasPrefix(k, "docker.memory.") {
					got = append(got, k)
				}
			}
			assert.ElementsMatch(t, want, got)
			if c.note != "" {
				assert.Contains(t, r.Stderr, c.note)
			} else {
				assert.Empty(t, r.Stderr)
			}
		})
	}
}

func TestFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-method", "File"}, "-method File is no longer supported"},
		{[]string{"-method", "ssh"}, `-method "ssh": want API`},
		{[]string{"-name-format", "nick"}, `-name-format "nick": want one of name, name_id, id, image, image_id, image_name, label`},
		{[]string{"-name-format", "label"}, "-name-format label needs -label KEY"},
		{[]string{"-cpu-format", "ticks"}, `-cpu-format "ticks": want percentage or usage`},
		{[]string{"-host", "/var/run/docker.sock"}, "want unix:///PATH/docker.sock or tcp://HOST:PORT"},
		{[]string{"-host", "unix://var/run/docker.sock"}, "three slashes"},
		{[]string{"-host", "npipe:////./pipe/docker_engine"}, "named pipes are not supported"},
		{[]string{"--include", "[a"}, `--include "[a": syntax error in pattern`},
	} {
		r := plugintest.New(t, Plugin).Run(c.args...)
		assert.Equal(t, 3, r.Code, "%v", c.args)
		assert.True(t, strings.HasPrefix(r.Stdout, "metrics-docker UNKNOWN: "), "%v: %q", c.args, r.Stdout)
		assert.Contains(t, r.Stdout, c.want, "%v", c.args)
	}
}

// -command and -method API, deprecated in the original, are accepted and
// change nothing; -tempfile names the state directory.
func TestDeprecatedFlagsAndTempfile(t *testing.T) {
	f := newFakeEngine(t)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(1, 1, 1, 1, 1, 0, 0), idB: v1Stats(1, 1, 1, 1, 1, 0, 0)})
	dir := t.TempDir()
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-command", "/usr/bin/docker", "-method", "API", "-tempfile", filepath.Join(dir, "mackerel-plugin-docker")}
	v := h.Values(h.Run(args...), args...)
	assert.Len(t, v, 6, "memory and queue gauges of two containers")
	matches, _ := filepath.Glob(filepath.Join(dir, "metrics-docker*"))
	assert.NotEmpty(t, matches, "the state is kept in -tempfile's directory")
}

// The graph definitions are the original's: the same keys, labels,
// units and metric names, both CPU graphs whatever -cpu-format says.
func TestMeta(t *testing.T) {
	for _, format := range []string{"percentage", "usage"} {
		r := plugintest.New(t, Plugin).Meta("-cpu-format", format)
		require.Equal(t, 0, r.Code, r.Stderr)
		plugintest.Golden(t, "meta.golden", r.Stdout)
	}
}

// A container that could not be read for a run keeps its previous
// sample: the next run gives its percentage over both intervals.
func TestUnreadContainerKeepsItsSample(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	f.set(twoContainers, map[string]func() string{idA: v1Stats(0, 0, 1e11, 1, 1, 0, 0), idB: v1Stats(0, 0, 1e11, 1, 1, 0, 0)})
	h.Run(args...)
	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{idA: func() string { return "{" }, idB: v1Stats(0, 0, 2e11, 1, 1, 0, 0)})
	r := h.Run(args...)
	assert.Contains(t, r.Stderr, "web.1 (aaaaaa) left out")
	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(3e9, 0, 4e11, 1, 1, 0, 0), idB: v1Stats(0, 0, 4e11, 1, 1, 0, 0)})
	v := h.Values(h.Run(args...), args...)
	assert.InDelta(t, 3.0/300*2*100, v["docker.cpuacct_percentage.web_1.user"], 1e-9)
}

// Many containers: their stats are read in parallel (at most maxParallel
// at a time), recorded from one goroutine (the original's concurrent map
// writes, mackerel-agent-plugins#446, under -race here), and every one is
// printed.
func TestManyContainersInParallel(t *testing.T) {
	f := newFakeEngine(t)
	const n = 40
	var list []string
	stats := map[string]func() string{}
	var mu sync.Mutex
	inFlight, most := 0, 0
	for i := range n {
		id := fmt.Sprintf("%064x", i+1)
		list = append(list, fmt.Sprintf(`{"Id":%q,"Names":["/c%d"],"Image":"x","Created":%d}`, id, i, i))
		s := v1Stats(0, 0, 1, uint64(i), 0, 0, 0)
		stats[id] = func() string {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(200 * time.Millisecond) // the engine's sampling tick
			mu.Lock()
			inFlight--
			mu.Unlock()
			return s()
		}
	}
	f.set("["+strings.Join(list, ",")+"]", stats)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	start := time.Now()
	v := h.Values(h.Run(args...), args...)
	took := time.Since(start)
	for i := range n {
		assert.Equal(t, float64(i), v[fmt.Sprintf("docker.memory.c%d.rss", i)])
	}
	assert.LessOrEqual(t, most, maxParallel, "at most maxParallel requests at once")
	assert.Greater(t, most, 1, "requests overlap")
	assert.Less(t, took, time.Duration(n)*200*time.Millisecond/4, "not one after the other")
}

// Names are made segments as the original's regexp [^-a-zA-Z0-9_] → "_"
// made them, one "_" per character.
func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"web.1":              "web_1",
		"registry:5000/app":  "registry_5000_app",
		"名前-x_y":             "__-x_y",
		"sha256:abc":         "sha256_abc",
		"already-fine_Name9": "already-fine_Name9",
	} {
		assert.Equal(t, want, sanitize(in), in)
	}
}

// Only the block I/O counts went down (the CPU time, counting again, is
// already past its old value): still a restart, no percentage.
func TestRestartSeenInIOCounts(t *testing.T) {
	f := newFakeEngine(t)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name"}
	list := fmt.Sprintf(`[{"Id":%q,"Names":["/web"],"Image":"x","Created":1}]`, idA)
	f.set(list, map[string]func() string{idA: v1Stats(1e9, 1e8, 1e11, 1, 1, 500, 50)})
	h.Run(args...)
	h.Advance(time.Minute)
	f.set(list, map[string]func() string{idA: v1Stats(3e9, 2e8, 2e11, 1, 1, 10, 1)})
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.NotContains(t, v, "docker.cpuacct_percentage.web.user")
	assert.NotContains(t, v, "docker.blkio.io_serviced.web.read")
	assert.Contains(t, r.Stderr, "web: CPU percentage and I/O operation rates left out")
}

// A busy host (a Kubernetes node runs 200 containers and more) is read
// within the run's limit: the engine makes every stats request wait for
// its next sampling tick, so requests held back in batches would cost a
// tick per batch (16 at a time: 13 ticks, over 10 s for 200 containers
// on a real engine) and the containers past -t would be left out.
func TestHundredsOfContainersWithinTimeout(t *testing.T) {
	f := newFakeEngine(t)
	const n = 200
	const tick = 300 * time.Millisecond
	var list []string
	stats := map[string]func() string{}
	for i := range n {
		id := fmt.Sprintf("%064x", i+1)
		list = append(list, fmt.Sprintf(`{"Id":%q,"Names":["/c%d"],"Image":"x","Created":%d}`, id, i, i))
		s := v1Stats(0, 0, 1, uint64(i), 0, 0, 0)
		stats[id] = func() string {
			time.Sleep(tick)
			return s()
		}
	}
	f.set("["+strings.Join(list, ",")+"]", stats)
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name", "-t", "3"}
	r := h.Run(args...)
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.NotContains(t, r.Stderr, "left out")
	v := h.Values(r, args...)
	for i := range n {
		assert.Contains(t, v, fmt.Sprintf("docker.memory.c%d.rss", i))
	}
}

// "-cpu-format=" is the original's own default (empty: percentage), and
// configurations made from templates spell it out.
func TestEmptyCPUFormatIsPercentage(t *testing.T) {
	r := plugintest.New(t, Plugin).Meta("-cpu-format=")
	assert.Equal(t, 0, r.Code, r.Stdout+r.Stderr)
	f := newFakeEngine(t)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(1e9, 0, 4e11, 1, 1, 0, 0), idB: v1Stats(0, 0, 4e11, 1, 1, 0, 0)})
	h := plugintest.New(t, Plugin)
	args := []string{"-host", f.Host, "-name-format", "name", "-cpu-format="}
	r = h.Run(args...)
	require.Equal(t, 0, r.Code, r.Stdout+r.Stderr)
	h.Advance(time.Minute)
	f.set(twoContainers, map[string]func() string{idA: v1Stats(4e9, 0, 7e11, 1, 1, 0, 0), idB: v1Stats(0, 0, 7e11, 1, 1, 0, 0)})
	v := h.Values(h.Run(args...), args...)
	assert.Contains(t, v, "docker.cpuacct_percentage.web_1.user")
	assert.NotContains(t, v, "docker.cpuacct.web_1.user")
}
