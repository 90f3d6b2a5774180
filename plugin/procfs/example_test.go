package procfs_test

import (
	"fmt"
	"sort"

	"github.com/teko-dev/teko/plugin/procfs"
)

// A test points an FS at a fixture tree; the zero FS reads the real
// /proc and /sys.
func ExampleFS_LoadAvg() {
	fsys := procfs.FS{Proc: "testdata/linux-3.10-cgroup1/proc"}
	l, err := fsys.LoadAvg()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Load1, l.Load5, l.Load15)
	// Output: 0.5 0.4 0.3
}

// TCP socket states, named as ss names them, from /proc/net/tcp and tcp6.
func ExampleFS_TCPStates() {
	fsys := procfs.FS{Proc: "testdata/linux-3.10-cgroup1/proc"}
	states, err := fsys.TCPStates()
	if err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for st, n := range states {
		lines = append(lines, fmt.Sprintf("%s %d", st, n))
	}
	sort.Strings(lines)
	fmt.Println(lines)
	// Output: [CLOSE-WAIT 1 ESTAB 2 LISTEN 2 TIME-WAIT 1]
}

// The devices mackerel-plugin-linux graphs: neither virtual (loop, dm)
// nor removable (sr0), but FusionIO's virtual fio devices are.
func ExampleFS_BlockDevices() {
	fsys := procfs.FS{Sys: "testdata/linux-3.10-cgroup1/sys"}
	devs, err := fsys.BlockDevices()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range devs {
		if d.Physical() {
			fmt.Println(d.Name, d.Stat.IOTicks, d.Stat.TimeInQueue)
		}
	}
	// Output:
	// fioa 600 700
	// sda 5000 7000
}

// CPUs honours the affinity mask and the cgroup's CPU quota, here
// cgroup v2's cpu.max of a parent slice: "200000 100000" is 2 CPUs.
func ExampleFS_CPUs() {
	fsys := procfs.FS{Proc: "testdata/linux-5.4-cgroup2/proc", Sys: "testdata/linux-5.4-cgroup2/sys"}
	c, err := fsys.CPUs()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Allowed, c.Quota, c.Effective())
	// Output: 5 2 2
}

// The connection tracking table, from the older ip_conntrack files
// where a kernel has only those.
func ExampleFS_Conntrack() {
	fsys := procfs.FS{Proc: "testdata/linux-3.10-cgroup1/proc"}
	c, err := fsys.Conntrack()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Count, c.Max)
	// Output: 12 65536
}

// MemInfo values are bytes.
func ExampleFS_MemInfo() {
	fsys := procfs.FS{Proc: "testdata/linux-5.4-cgroup2/proc"}
	m, err := fsys.MemInfo()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.1f%% available\n", 100*float64(m["MemAvailable"])/float64(m["MemTotal"]))
	// Output: 75.0% available
}

// Utmp records are fixed-size; AppendUtmp writes one, ParseUtmp reads.
func ExampleParseUtmp() {
	b := procfs.AppendUtmp(nil, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 4242, Line: "pts/0", User: "alice"})
	entries, _ := procfs.ParseUtmp(bytesReader(b))
	fmt.Println(len(b), entries[0].User, entries[0].Line, entries[0].PID)
	// Output: 384 alice pts/0 4242
}
