//go:build linux

package metricsdocker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// engineFixture is a real Docker engine, started once for the package,
// with two containers from the busybox image:
//   - sleeper, labelled team=web, idle until a test burns CPU in it with
//     docker exec;
//   - writer, idle until a test writes to its disk with docker exec; its
//     block I/O is accounted by the kernel when the engine's disk could be
//     given a (generous) throttle limit, which is what makes cgroup v1
//     count it on hosts without CFQ/BFQ accounting.
type engineFixture struct {
	*servertest.Docker
	sleeper, writer string // container IDs
	blkio           bool   // writer has a throttle limit on the engine's disk
}

var docker servertest.Shared[*engineFixture]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	docker.Close()
	os.Exit(code)
}

func startEngine() (*engineFixture, func(), error) {
	d, err := servertest.StartDocker()
	if err != nil {
		return nil, nil, err
	}
	f := &engineFixture{Docker: d}
	ok := false
	defer func() {
		if !ok {
			d.Stop()
		}
	}()
	if f.sleeper, err = d.CLI("run", "-d", "--network", "none", "--name", "sleeper", "--label", "team=web", d.Image, "/bin/sleep", "3600"); err != nil {
		return nil, nil, err
	}
	args := []string{"run", "-d", "--network", "none", "--name", "writer"}
	if dev, ok := diskNode(d.Dir); ok {
		args = append(args, "--device-write-bps", dev+":1gb", "--device-read-bps", dev+":1gb")
		f.blkio = true
	}
	if f.writer, err = d.CLI(append(args, d.Image, "/bin/sleep", "3600")...); err != nil {
		return nil, nil, err
	}
	ok = true
	return f, d.Stop, nil
}

// diskNode returns the /dev node of the whole disk that holds dir (the
// engine's data), for a throttle limit; false when dir is on no block
// device (an overlay root, tmpfs) or the node is not in /dev.
func diskNode(dir string) (string, bool) {
	var st unix.Stat_t
	if unix.Stat(dir, &st) != nil {
		return "", false
	}
	sys := fmt.Sprintf("/sys/dev/block/%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev))
	if _, err := os.Stat(filepath.Join(sys, "partition")); err == nil {
		sys = filepath.Join(sys, "..")
	}
	uevent, err := os.ReadFile(filepath.Join(sys, "uevent"))
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(uevent), "\n") {
		if name, ok := strings.CutPrefix(line, "DEVNAME="); ok {
			node := "/dev/" + name
			var nst unix.Stat_t
			if unix.Stat(node, &nst) == nil && nst.Mode&unix.S_IFMT == unix.S_IFBLK {
				return node, true
			}
		}
	}
	return "", false
}

// api reads path from the engine's API, independently of the plugin's
// client, and decodes its JSON.
func (f *engineFixture) api(t *testing.T, path string) map[string]any {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", f.Socket)
		},
	}}
	resp, err := client.Get("http://docker" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v: %s", path, resp.Status, err, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return m
}

// engineStats is one stats sample of a container as the engine's API
// gives it, read by the test itself.
type engineStats struct {
	user, system, host float64
	ncpu               float64
	memory             map[string]float64
	serviceBytes       map[string]float64 // summed over devices, by lower-case op
	serviced           map[string]float64
	queued             int
}

func (f *engineFixture) stats(t *testing.T, id string) engineStats {
	t.Helper()
	m := f.api(t, "/containers/"+id+"/stats?stream=false&one-shot=true")
	cpu := m["cpu_stats"].(map[string]any)
	usage := cpu["cpu_usage"].(map[string]any)
	s := engineStats{
		user:   usage["usage_in_usermode"].(float64),
		system: usage["usage_in_kernelmode"].(float64),
		host:   cpu["system_cpu_usage"].(float64),
		memory: map[string]float64{},
	}
	if n, ok := cpu["online_cpus"].(float64); ok && n > 0 {
		s.ncpu = n
	} else {
		s.ncpu = float64(len(usage["percpu_usage"].([]any)))
	}
	if mem, ok := m["memory_stats"].(map[string]any)["stats"].(map[string]any); ok {
		for k, v := range mem {
			s.memory[k] = v.(float64)
		}
	}
	blkio := m["blkio_stats"].(map[string]any)
	sum := func(key string) map[string]float64 {
		out := map[string]float64{}
		list, _ := blkio[key].([]any)
		for _, e := range list {
			e := e.(map[string]any)
			op := strings.ToLower(e["op"].(string))
			if op == "read" || op == "write" || op == "sync" || op == "async" {
				out[op] += e["value"].(float64)
			}
		}
		return out
	}
	s.serviceBytes, s.serviced = sum("io_service_bytes_recursive"), sum("io_serviced_recursive")
	q, _ := blkio["io_queue_recursive"].([]any)
	s.queued = len(q)
	return s
}

// cgroupFile reads a file of the container's cgroup: controller's
// hierarchy on cgroup v1 ("memory", "cpuacct", "blkio"), the unified one
// on v2, from the container's main process's /proc/PID/cgroup.
func (f *engineFixture) cgroupFile(t *testing.T, id, controller, file string) map[string]float64 {
	t.Helper()
	pid, err := f.CLI("inspect", "-f", "{{.State.Pid}}", id)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	dir := ""
	for _, line := range strings.Split(string(text), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				dir = filepath.Join("/sys/fs/cgroup", controller, parts[2])
			}
		}
		if parts[0] == "0" && parts[1] == "" && cgroupV2() {
			dir = filepath.Join("/sys/fs/cgroup", parts[2])
		}
	}
	if dir == "" {
		t.Fatalf("no %s cgroup in /proc/%s/cgroup:\n%s", controller, pid, text)
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		key := strings.Join(fields[:len(fields)-1], " ")
		if len(fields) == 3 { // blkio: "MAJ:MIN Op value", summed over devices by op
			key = strings.ToLower(fields[1])
		}
		out[key] += v
	}
	return out
}

func cgroupV2() bool {
	_, err := os.Stat("/sys/fs/cgroup/cgroup.controllers")
	return err == nil
}
