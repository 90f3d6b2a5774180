package metricsjvm

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/teko-dev/teko/plugin/hsperf"
)

var conformanceRuns atomic.Int64

// ConformanceArgs gives the teko conformance suite (package
// plugins/conformance), which needs one quick successful run of every
// plugin, a stand-in JVM: a performance data file, as a JVM writes it,
// for the test process itself (alive as long as the run), named with
// --pidfile. It is removed by stop. The real-JVM tests of this package
// test the plugin against a running java.
func (o *options) ConformanceArgs(dir string) (args []string, stop func(), err error) {
	u, err := user.Current()
	if err != nil {
		return nil, nil, err
	}
	pid := os.Getpid()
	path := hsperf.Path(u.Username, pid)
	if _, err := os.Stat(path); err == nil {
		return nil, nil, fmt.Errorf("%s exists already", path)
	}
	created := false
	if _, err := os.Stat(filepath.Dir(path)); os.IsNotExist(err) {
		if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, err
		}
		created = true
	}
	n := conformanceRuns.Add(1)
	counters := []hsperf.Counter{
		{Name: "sun.os.hrt.frequency", Int: 1_000_000_000},
		{Name: "sun.rt.javaCommand", Str: "org.example.Conformance", IsString: true},
		{Name: "sun.gc.collector.0.invocations", Int: 10 * n},
		{Name: "sun.gc.collector.0.time", Int: 50_000_000 * n},
		{Name: "sun.gc.generation.0.space.0.used", Int: 1 << 20},
		{Name: "sun.gc.generation.0.space.0.capacity", Int: 8 << 20},
		{Name: "sun.gc.generation.0.space.1.used", Int: 0},
		{Name: "sun.gc.generation.0.space.1.capacity", Int: 1 << 20},
		{Name: "sun.gc.generation.0.space.2.used", Int: 0},
		{Name: "sun.gc.generation.0.space.2.capacity", Int: 1 << 20},
		{Name: "sun.gc.generation.1.space.0.used", Int: 3 << 20},
		{Name: "sun.gc.generation.1.space.0.capacity", Int: 16 << 20},
	}
	if err := os.WriteFile(path, hsperf.Encode(counters, binary.LittleEndian), 0o600); err != nil {
		return nil, nil, err
	}
	pidFile := filepath.Join(dir, "conformance.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		os.Remove(path)
		return nil, nil, err
	}
	stop = func() {
		os.Remove(path)
		if created {
			os.Remove(filepath.Dir(path))
		}
	}
	return []string{"-javaname", "Conformance", "-pidfile", pidFile}, stop, nil
}
