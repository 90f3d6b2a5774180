//go:build linux

package procfs_test

import (
	"bufio"
	"errors"
	"io/fs"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/procfs"
)

// These tests read this machine's own /proc and /sys and hold what they
// read to what the kernel says through another door: sysinfo(2),
// sched_getaffinity(2), ss(8)'s netlink dump, /proc/diskstats.

var real procfs.FS

func TestRealLoadUptimeMemoryMatchSysinfo(t *testing.T) {
	var si unix.Sysinfo_t
	require.NoError(t, unix.Sysinfo(&si))
	l, err := real.LoadAvg()
	require.NoError(t, err)
	u, err := real.Uptime()
	require.NoError(t, err)
	m, err := real.MemInfo()
	require.NoError(t, err)
	// the kernel updates the averages every 5 s: allow for one step
	for i, v := range []float64{l.Load1, l.Load5, l.Load15} {
		assert.InDelta(t, float64(si.Loads[i])/65536, v, 0.3, "load %d", i)
	}
	assert.InDelta(t, float64(si.Uptime), u.Up.Seconds(), 2)
	assert.Equal(t, uint64(si.Totalram)*uint64(si.Unit), m["MemTotal"])
	assert.Equal(t, uint64(si.Totalswap)*uint64(si.Unit), m["SwapTotal"])
	assert.True(t, m.Has("MemAvailable"))
}

func TestRealStatCountsForks(t *testing.T) {
	before, err := real.Stat()
	require.NoError(t, err)
	require.NoError(t, exec.Command("true").Run())
	after, err := real.Stat()
	require.NoError(t, err)
	assert.Greater(t, after.Forks, before.Forks, "starting a process is a fork")
	assert.GreaterOrEqual(t, after.ContextSwitches, before.ContextSwitches)
	assert.GreaterOrEqual(t, after.Interrupts, before.Interrupts)
	u, err := real.Uptime()
	require.NoError(t, err)
	boot := time.Now().Add(-u.Up).Unix()
	assert.InDelta(t, boot, after.BootTime, 3, "btime is now minus the uptime")
	vm, err := real.VMStat()
	require.NoError(t, err)
	assert.Contains(t, vm, "pswpin")
}

func TestRealCPUsMatchAffinity(t *testing.T) {
	var set unix.CPUSet
	require.NoError(t, unix.SchedGetaffinity(0, &set))
	c, err := real.CPUs()
	require.NoError(t, err)
	assert.Equal(t, set.Count(), c.Allowed)
	assert.LessOrEqual(t, c.Effective(), float64(c.Allowed))
}

// ssStates counts the TCP sockets whose local and remote ports are ours,
// by state, as ss reads them from the kernel over netlink.
func ssStates(t *testing.T, ours func(local, remote uint16) bool) map[string]int {
	t.Helper()
	out, err := exec.Command("ss", "-tanH").Output()
	require.NoError(t, err)
	counts := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if ours(portOf(f[3]), portOf(f[4])) {
			counts[f[0]]++
		}
	}
	return counts
}

func portOf(addr string) uint16 {
	i := strings.LastIndexByte(addr, ':')
	var p uint16
	for _, c := range addr[i+1:] {
		if c < '0' || c > '9' {
			return 0
		}
		p = p*10 + uint16(c-'0')
	}
	return p
}

// The test makes its own sockets in known states on loopback, IPv4 and
// IPv6, and finds exactly those, in the same states as ss finds them.
func TestRealTCPSocketsOnLoopback(t *testing.T) {
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) is not installed: nothing to compare with")
	}
	ports := map[uint16]bool{}   // the listeners'
	clients := map[uint16]bool{} // the test's connections' own ends
	// A socket is the test's when it joins a listener's port to one of
	// the test's clients (or is the listener): a connection of another
	// process that once used one of these port numbers, still in
	// TIME-WAIT, is not.
	ours := func(local, remote uint16) bool {
		return ports[local] && (remote == 0 || clients[remote]) || clients[local] && ports[remote]
	}
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for _, network := range []string{"tcp4", "tcp6"} {
		host := map[string]string{"tcp4": "127.0.0.1:0", "tcp6": "[::1]:0"}[network]
		l, err := net.Listen(network, host)
		if network == "tcp6" && err != nil {
			t.Log("no IPv6 loopback:", err)
			continue
		}
		require.NoError(t, err)
		closers = append(closers, func() { l.Close() })
		ports[uint16(l.Addr().(*net.TCPAddr).Port)] = true
		accepted := make(chan net.Conn, 4)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				accepted <- c
			}
		}()
		for range 2 { // two connections stay established: 2 sockets each
			c, err := net.Dial(network, l.Addr().String())
			require.NoError(t, err)
			clients[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = true
			s := <-accepted
			closers = append(closers, func() { c.Close(); s.Close() })
		}
		// one more: the client closes first, then the server: the
		// client's socket waits in TIME-WAIT
		c, err := net.Dial(network, l.Addr().String())
		require.NoError(t, err)
		clients[uint16(c.LocalAddr().(*net.TCPAddr).Port)] = true
		s := <-accepted
		require.NoError(t, c.Close())
		buf := make([]byte, 1)
		_, err = s.Read(buf)
		require.Error(t, err) // EOF: the client's FIN arrived
		require.NoError(t, s.Close())
	}
	time.Sleep(50 * time.Millisecond) // the last ACK
	socks, err := real.TCPSockets()
	require.NoError(t, err)
	mine := map[string]int{}
	for _, s := range socks {
		if ours(s.Local.Port(), s.Remote.Port()) {
			mine[s.State.String()]++
		}
	}
	want := map[string]int{"LISTEN": len(ports), "ESTAB": 4 * len(ports), "TIME-WAIT": len(ports)}
	assert.Equal(t, want, mine)
	assert.Equal(t, mine, ssStates(t, ours), "ss sees the same")
	states, err := real.TCPStates()
	require.NoError(t, err)
	for name, n := range want {
		var total int
		for st, c := range states {
			if st.String() == name {
				total += c
			}
		}
		assert.GreaterOrEqual(t, total, n, name)
	}
}

// The block devices' statistics in sysfs are the ones /proc/diskstats
// shows: read around a read of diskstats, each value is between them.
func TestRealBlockDevicesMatchDiskstats(t *testing.T) {
	before, err := real.BlockDevices()
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no /sys/block")
	}
	require.NoError(t, err)
	lines, err := real.DiskStats()
	require.NoError(t, err)
	after, err := real.BlockDevices()
	require.NoError(t, err)
	byName := map[string]procfs.DiskStat{}
	for _, l := range lines {
		byName[l.Name] = l.DiskStat
	}
	require.NotEmpty(t, before)
	for i, d := range before {
		ds, ok := byName[d.Name]
		if !assert.True(t, ok, d.Name) || i >= len(after) || after[i].Name != d.Name {
			continue
		}
		assert.Equal(t, d.Stat.Fields, ds.Fields, d.Name)
		for _, f := range []struct {
			name          string
			lo, mid, high uint64
		}{
			{"reads", d.Stat.ReadIOs, ds.ReadIOs, after[i].Stat.ReadIOs},
			{"io ticks", d.Stat.IOTicks, ds.IOTicks, after[i].Stat.IOTicks},
			{"write ticks", d.Stat.WriteTicks, ds.WriteTicks, after[i].Stat.WriteTicks},
		} {
			assert.True(t, f.lo <= f.mid && f.mid <= f.high, "%s %s: %d %d %d", d.Name, f.name, f.lo, f.mid, f.high)
		}
	}
}

func TestRealConntrackAndMounts(t *testing.T) {
	c, err := real.Conntrack()
	if errors.Is(err, procfs.ErrNoConntrack) {
		t.Log("conntrack is not loaded here")
	} else {
		require.NoError(t, err)
		assert.LessOrEqual(t, c.Count, c.Max)
		assert.Positive(t, c.Max)
	}
	h, err := real.HidePID()
	require.NoError(t, err)
	assert.Equal(t, -1, h.GID)
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs("/proc", &st))
	assert.Equal(t, int64(unix.PROC_SUPER_MAGIC), st.Type)
}
