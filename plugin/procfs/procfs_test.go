package procfs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/mounts"
	"github.com/teko-dev/teko/plugin/procfs"
)

// tree returns the FS of a fixture tree under testdata.
func tree(name string) procfs.FS {
	root := filepath.Join("testdata", name)
	return procfs.FS{Proc: filepath.Join(root, "proc"), Sys: filepath.Join(root, "sys"), Run: filepath.Join(root, "run")}
}

func TestHost(t *testing.T) {
	env := map[string]string{"HOST_PROC": "/host/proc", "HOST_RUN": "/host/run"}
	fsys := procfs.Host(func(k string) string { return env[k] })
	assert.Equal(t, "/host/proc/net/tcp", fsys.ProcPath("net", "tcp"))
	assert.Equal(t, "/sys/block", fsys.SysPath("block"), "unset: the usual place")
	assert.Equal(t, "/host/run/utmp", fsys.UtmpPath())
}

func TestStatOfAnOlderKernel(t *testing.T) {
	st, err := tree("linux-3.10-cgroup1").Stat()
	require.NoError(t, err)
	assert.Equal(t, uint64(123456), st.Interrupts)
	assert.Equal(t, uint64(987654), st.ContextSwitches)
	assert.Equal(t, uint64(4321), st.Forks)
	assert.Equal(t, uint64(1700000000), st.BootTime)
	assert.Equal(t, uint64(2), st.ProcsRunning)
	assert.Equal(t, uint64(4000), st.CPU.Idle)
	assert.Len(t, st.CPUs, 2)
}

func TestVMStatAndMemInfo(t *testing.T) {
	fsys := tree("linux-3.10-cgroup1")
	vm, err := fsys.VMStat()
	require.NoError(t, err)
	assert.Equal(t, uint64(77), vm["pswpin"])
	assert.Equal(t, uint64(88), vm["pswpout"])
	mem, err := fsys.MemInfo()
	require.NoError(t, err)
	assert.Equal(t, uint64(4000000*1024), mem["MemTotal"], "kB become bytes")
	assert.Equal(t, uint64(0), mem["HugePages_Total"], "a count stays a count")
	assert.False(t, mem.Has("MemAvailable"), "3.10 has no MemAvailable")
	mem, err = tree("linux-5.4-cgroup2").MemInfo()
	require.NoError(t, err)
	assert.Equal(t, uint64(6000000*1024), mem["MemAvailable"])
}

func TestLoadAvgAndUptime(t *testing.T) {
	fsys := tree("linux-3.10-cgroup1")
	l, err := fsys.LoadAvg()
	require.NoError(t, err)
	assert.Equal(t, procfs.LoadAvg{Load1: 0.5, Load5: 0.4, Load15: 0.3, Running: 1, Total: 200}, l)
	u, err := fsys.Uptime()
	require.NoError(t, err)
	assert.Equal(t, 86400250*time.Millisecond, u.Up)
	assert.Equal(t, 160000*time.Second, u.Idle)
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("loadavg", "0.1 nan\n")
	write("uptime", "-5 1\n")
	write("stat", "hello world\n")
	write("meminfo", "MemTotal: 12 parsecs\n")
	write("vmstat", "pswpin x\n")
	write("net/tcp", "header\n 0: 0100007F:0050 00000000:0000 ZZ\n")
	fsys := procfs.FS{Proc: dir}
	_, err := fsys.LoadAvg()
	assert.ErrorContains(t, err, "want three load averages")
	_, err = fsys.Uptime()
	assert.ErrorContains(t, err, `"-5" is not a number of seconds`)
	_, err = fsys.Stat()
	assert.ErrorContains(t, err, "not the kernel's /proc/stat")
	_, err = fsys.MemInfo()
	assert.ErrorContains(t, err, `unknown unit "parsecs"`)
	_, err = fsys.VMStat()
	assert.ErrorContains(t, err, filepath.Join(dir, "vmstat")+" line 1")
	_, err = fsys.TCPStates()
	assert.ErrorContains(t, err, `state "ZZ"`)
	_, err = procfs.FS{Proc: filepath.Join(dir, "missing")}.LoadAvg()
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestTCPStatesFromFixtures(t *testing.T) {
	states, err := tree("linux-3.10-cgroup1").TCPStates()
	require.NoError(t, err, "no tcp6 (IPv6 disabled) is not an error")
	assert.Equal(t, map[procfs.TCPState]int{procfs.TCPListen: 2, procfs.TCPEstablished: 2, procfs.TCPTimeWait: 1, procfs.TCPCloseWait: 1}, states)
	states, err = tree("linux-5.4-cgroup2").TCPStates()
	require.NoError(t, err)
	assert.Equal(t, map[procfs.TCPState]int{procfs.TCPListen: 1, procfs.TCPEstablished: 1, procfs.TCPNewSynRecv: 1}, states)
	assert.Equal(t, "SYN-RECV", procfs.TCPNewSynRecv.String())
	assert.Equal(t, "UNCONN", procfs.TCPClose.String())
	assert.Equal(t, "UNKNOWN", procfs.TCPState(0x42).String())

	socks, err := tree("linux-5.4-cgroup2").TCPSockets()
	require.NoError(t, err)
	require.Len(t, socks, 3)
	assert.Equal(t, "[::]:80", socks[0].Local.String())
	assert.Equal(t, "[::ffff:127.0.0.1]:54321", socks[1].Remote.String())
	assert.Equal(t, 33, socks[1].UID)
	assert.Equal(t, "[::1]:80", socks[2].Local.String())
}

func TestBlockDevicesOfDifferentKernels(t *testing.T) {
	devs, err := tree("linux-3.10-cgroup1").BlockDevices()
	require.NoError(t, err)
	byName := map[string]procfs.BlockDevice{}
	for _, d := range devs {
		byName[d.Name] = d
	}
	require.Len(t, byName, 5)
	assert.True(t, byName["sda"].Physical())
	assert.Equal(t, 11, byName["sda"].Stat.Fields)
	assert.Equal(t, uint64(5000), byName["sda"].Stat.IOTicks)
	assert.Equal(t, uint64(7000), byName["sda"].Stat.TimeInQueue)
	assert.Equal(t, uint64(3000), byName["sda"].Stat.ReadTicks)
	assert.Equal(t, uint64(4000), byName["sda"].Stat.WriteTicks)
	assert.True(t, byName["sr0"].Removable)
	assert.False(t, byName["sr0"].Physical(), "removable")
	assert.True(t, byName["fioa"].Virtual)
	assert.True(t, byName["fioa"].Physical(), "an ioDrive is graphed although virtual")
	assert.False(t, byName["loop0"].Physical())
	assert.False(t, byName["dm-0"].Physical())

	devs, err = tree("linux-5.4-cgroup2").BlockDevices()
	require.NoError(t, err)
	require.Len(t, devs, 1)
	assert.Equal(t, 15, devs[0].Stat.Fields)
	assert.Equal(t, uint64(5), devs[0].Stat.DiscardIOs)

	devs, err = tree("linux-6.18").BlockDevices()
	require.NoError(t, err)
	for _, d := range devs {
		assert.Equal(t, 17, d.Stat.Fields, d.Name)
		assert.Equal(t, d.Name == "vda", d.Physical(), d.Name)
	}
}

func TestDiskStats(t *testing.T) {
	for name, want := range map[string][]int{"linux-2.6.18": {11, 4}, "linux-3.10-cgroup1": {11, 11, 11}, "linux-5.4-cgroup2": {15}, "linux-6.18": nil} {
		lines, err := tree(name).DiskStats()
		require.NoError(t, err, name)
		for i, l := range lines {
			if want == nil {
				assert.Equal(t, 17, l.Fields, l.Name)
				continue
			}
			assert.Equal(t, want[i], l.Fields, name+" "+l.Name)
		}
	}
	lines, err := tree("linux-2.6.18").DiskStats()
	require.NoError(t, err)
	assert.Equal(t, procfs.DiskStat{ReadIOs: 4900, ReadSectors: 79000, WriteIOs: 5900, WriteSectors: 95000, Fields: 4}, lines[1].DiskStat)
}

func TestConntrack(t *testing.T) {
	c, err := tree("linux-3.10-cgroup1").Conntrack()
	require.NoError(t, err)
	assert.Equal(t, uint64(12), c.Count)
	assert.Equal(t, uint64(65536), c.Max)
	assert.Contains(t, c.CountPath, "ip_conntrack_count")
	_, err = tree("linux-5.4-cgroup2").Conntrack()
	assert.ErrorIs(t, err, procfs.ErrNoConntrack)
	c, err = tree("linux-6.18").Conntrack()
	require.NoError(t, err)
	assert.Contains(t, c.CountPath, "netfilter/nf_conntrack_count")
}

func TestCPUs(t *testing.T) {
	for _, tc := range []struct {
		tree      string
		allowed   int
		quota     float64
		effective float64
		file      string
	}{
		{"linux-3.10-cgroup1", 8, 1.5, 1.5, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us"},
		{"linux-5.4-cgroup2", 5, 2, 2, "system.slice/cpu.max"},
		{"container-cgroup2", 16, 0.5, 0.5, "cgroup/cpu.max"},
		{"linux-6.18", 2, 0, 2, "cpu/cpu.cfs_quota_us"},
	} {
		c, err := tree(tc.tree).CPUs()
		require.NoError(t, err, tc.tree)
		assert.Equal(t, tc.allowed, c.Allowed, tc.tree)
		assert.Equal(t, tc.quota, c.Quota, tc.tree)
		assert.Equal(t, tc.effective, c.Effective(), tc.tree)
		if tc.quota > 0 {
			assert.True(t, strings.HasSuffix(c.QuotaFile, tc.file), "%s: %s", tc.tree, c.QuotaFile)
		}
	}
}

func TestHidePID(t *testing.T) {
	// The fixtures' mount tables name procfs at /proc, not where the
	// tree is.
	for name, want := range map[string]procfs.Hiding{
		"linux-5.4-cgroup2":  {Mode: "invisible", GID: -1},
		"linux-3.10-cgroup1": {Mode: "invisible", GID: -1},
		"linux-6.18":         {Mode: "", GID: -1},
	} {
		f, err := os.Open(tree(name).ProcPath("self", "mountinfo"))
		require.NoError(t, err)
		ms, err := mounts.Parse(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, want, procfs.HidePIDOf(ms, "/proc"), name)
	}
	ms, err := mounts.Parse(strings.NewReader("22 1 0:21 / /proc rw - proc proc rw\n23 1 0:22 / /proc rw - proc proc rw,hidepid=ptraceable,gid=27\n"))
	require.NoError(t, err)
	assert.Equal(t, procfs.Hiding{Mode: "ptraceable", GID: 27}, procfs.HidePIDOf(ms, "/proc"), "the last mount counts")
	assert.Equal(t, procfs.Hiding{GID: -1}, procfs.HidePIDOf(ms, "/elsewhere"))
	_, err = procfs.FS{Proc: t.TempDir()}.HidePID()
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestUtmpUsers(t *testing.T) {
	dir := t.TempDir()
	fsys := procfs.FS{Proc: filepath.Join(dir, "proc"), Run: dir}
	_, err := fsys.Users()
	assert.ErrorIs(t, err, fs.ErrNotExist, "no utmp: no count")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "proc", "100"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "proc", "101"), 0o755))
	var b []byte
	now := time.Unix(1795478400, 0)
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpBootTime, Line: "~", User: "reboot", Time: now})
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpLoginProcess, PID: 50, Line: "tty1", User: "LOGIN"})
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 100, Line: "pts/0", User: "alice", Host: "10.0.0.1", Time: now})
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 101, Line: "pts/1", User: "a-very-long-user-name-of-32-byte", Time: now})
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 102, Line: "pts/2", User: "gone"}) // its process has exited
	b = procfs.AppendUtmp(b, procfs.UtmpEntry{Type: procfs.UtmpDeadProcess, PID: 103, Line: "pts/3"})
	b = append(b, 1, 2, 3) // a record being written
	require.NoError(t, os.WriteFile(filepath.Join(dir, "utmp"), b, 0o644))
	entries, err := fsys.Utmp()
	require.NoError(t, err)
	require.Len(t, entries, 6)
	assert.Equal(t, "alice", entries[2].User)
	assert.Equal(t, "10.0.0.1", entries[2].Host)
	assert.Equal(t, now, entries[2].Time)
	assert.Equal(t, "a-very-long-user-name-of-32-byte", entries[3].User)
	n, err := fsys.Users()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestProcessParsers(t *testing.T) {
	st, err := procfs.ParseProcessStat([]byte("42 (a) (b c) S 7 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 50000 8192000 300 18446744073709551615\n"))
	require.NoError(t, err)
	assert.Equal(t, procfs.ProcessStat{PID: 42, Comm: "a) (b c", State: 'S', PPID: 7, UTime: 250, STime: 150, StartTime: 50000, Threads: 3, VSize: 8192000, RSSPages: 300}, st)
	_, err = procfs.ParseProcessStat([]byte("5 (short) S 1 5\n"))
	assert.ErrorContains(t, err, "only 5 fields")
	uid, err := procfs.StatusUID([]byte("Name:\tx\nUid:\t1000\t1001\t1000\t1000\n"))
	require.NoError(t, err)
	assert.Equal(t, "1001", uid)
	args, n := procfs.JoinCmdline([]byte("nginx: master\x00-g\x00daemon off;\x00"))
	assert.Equal(t, "nginx: master -g daemon off;", args)
	assert.Equal(t, len("nginx: master"), n)
	for name, ok := range map[string]bool{"1": true, "4194304": true, "0042": false, "self": false, "": false, "99999999999": false} {
		_, got := procfs.ParsePID(name)
		assert.Equal(t, ok, got, name)
	}
	assert.Equal(t, 1500*time.Millisecond, procfs.Ticks(150))
	assert.Positive(t, procfs.Ticks(1<<63))
}

func bytesReader(b []byte) *strings.Reader { return strings.NewReader(string(b)) }
