//go:build linux

package consumers

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/plugin/servertest"
)

// nodeExp is prometheus-node-exporter with only its textfile collector,
// reading Dir.
type nodeExp struct {
	Dir string
	URL string // the /metrics page
}

func startNodeExporter() (*nodeExp, func(), error) {
	bin, err := servertest.Find("prometheus-node-exporter", "prometheus-node-exporter", "node_exporter")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("node-exporter")
	if err != nil {
		return nil, nil, err
	}
	textDir := filepath.Join(dir, "textfile")
	if err := os.Mkdir(textDir, 0o755); err != nil {
		return nil, nil, err
	}
	port, err := servertest.FreePort()
	if err != nil {
		return nil, nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := servertest.Start(exec.Command(bin, "--web.listen-address="+addr, "--collector.disable-defaults",
		"--collector.textfile", "--collector.textfile.directory="+textDir), filepath.Join(dir, "log"))
	if err != nil {
		return nil, nil, err
	}
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	n := &nodeExp{Dir: textDir, URL: "http://" + addr + "/metrics"}
	if err := p.WaitWithin(15*time.Second, func() error { _, err := httpGet(n.URL); return err }); err != nil {
		stop()
		return nil, nil, fmt.Errorf("node_exporter: %w", err)
	}
	return n, stop, nil
}

// influxDB is influxd 1.x with its data in a temp dir, every port on
// loopback, and a database "teko".
type influxDB struct{ URL string }

func startInflux() (*influxDB, func(), error) {
	bin, err := servertest.Find("influxdb", "influxd")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("influxd")
	if err != nil {
		return nil, nil, err
	}
	rpc, err1 := servertest.FreePort()
	httpPort, err2 := servertest.FreePort()
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("free ports: %v %v", err1, err2)
	}
	conf := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = %q
[data]
  dir = %q
  wal-dir = %q
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:%d"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`, rpc, filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), httpPort)
	confPath := filepath.Join(dir, "influxdb.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	p, err := servertest.Start(exec.Command(bin, "run", "-config", confPath), filepath.Join(dir, "log"))
	if err != nil {
		return nil, nil, err
	}
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	db := &influxDB{URL: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	if err := p.WaitWithin(30*time.Second, func() error { _, err := httpGet(db.URL + "/ping"); return err }); err != nil {
		stop()
		return nil, nil, fmt.Errorf("influxd: %w", err)
	}
	if _, err := db.post("/query", url.Values{"q": {"CREATE DATABASE teko"}}.Encode(), "application/x-www-form-urlencoded"); err != nil {
		stop()
		return nil, nil, err
	}
	return db, stop, nil
}

func (db *influxDB) post(path, body, contentType string) (string, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Post(db.URL+path, contentType, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("influxd %s: %s: %s", path, resp.Status, b)
	}
	return string(b), err
}

// victoriaMetrics is victoria-metrics with a Graphite listener.
type victoriaMetrics struct {
	URL      string // HTTP API
	Graphite string // host:port of the plaintext listener
}

func startVictoria() (*victoriaMetrics, func(), error) {
	bin, err := servertest.Find("victoria-metrics", "victoria-metrics")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("victoria")
	if err != nil {
		return nil, nil, err
	}
	httpPort, err1 := servertest.FreePort()
	graphitePort, err2 := servertest.FreePort()
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("free ports: %v %v", err1, err2)
	}
	vm := &victoriaMetrics{URL: "http://127.0.0.1:" + strconv.Itoa(httpPort), Graphite: "127.0.0.1:" + strconv.Itoa(graphitePort)}
	p, err := servertest.Start(exec.Command(bin, "-storageDataPath="+filepath.Join(dir, "data"),
		"-httpListenAddr=127.0.0.1:"+strconv.Itoa(httpPort), "-graphiteListenAddr="+vm.Graphite), filepath.Join(dir, "log"))
	if err != nil {
		return nil, nil, err
	}
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	if err := p.WaitWithin(30*time.Second, func() error {
		if _, err := httpGet(vm.URL + "/health"); err != nil {
			return err
		}
		c, err := net.DialTimeout("tcp", vm.Graphite, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	}); err != nil {
		stop()
		return nil, nil, fmt.Errorf("victoria-metrics: %w", err)
	}
	return vm, stop, nil
}

// nagiosCore is a Nagios 4 core with a minimal configuration in Dir:
// one host and the services given at start, checked every second.
type nagiosCore struct {
	Dir    string
	Status string // status.dat
}

// nagiosService is one service: its name and its command line.
type nagiosService struct{ name, command string }

func startNagios(bin string, services []nagiosService) (*nagiosCore, func(), error) {
	nagiosBin, err := servertest.Find("nagios4", "nagios4", "nagios")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("nagios")
	if err != nil {
		return nil, nil, err
	}
	stop := func() { os.RemoveAll(dir) }
	// The checks run as nagios_user: the binary must be where it can
	// read it.
	exe := filepath.Join(dir, "teko")
	if err := copyFile(bin, exe, 0o755); err != nil {
		stop()
		return nil, nil, err
	}
	runAs, group := "nagios", "nagios"
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			stop()
			return nil, nil, err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			stop()
			return nil, nil, err
		}
		runAs, group = u.Username, g.Name
	}
	for _, sub := range []string{"rw", "checkresults"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			stop()
			return nil, nil, err
		}
	}
	cfg := fmt.Sprintf(`log_file=%[1]s/nagios.log
cfg_file=%[1]s/objects.cfg
object_cache_file=%[1]s/objects.cache
precached_object_file=%[1]s/objects.precache
resource_file=%[1]s/resource.cfg
status_file=%[1]s/status.dat
status_update_interval=1
nagios_user=%[2]s
nagios_group=%[3]s
check_external_commands=0
command_file=%[1]s/rw/nagios.cmd
lock_file=%[1]s/nagios.lock
temp_file=%[1]s/nagios.tmp
temp_path=%[1]s
check_result_path=%[1]s/checkresults
check_result_reaper_frequency=1
interval_length=1
retain_state_information=0
state_retention_file=%[1]s/retention.dat
use_syslog=0
enable_notifications=0
enable_flap_detection=0
process_performance_data=0
max_service_check_spread=1
max_host_check_spread=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
`, dir, runAs, group)
	objects := `define timeperiod {
  timeperiod_name always
  alias always
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define command {
  command_name noop
  command_line /bin/true
}
define contact {
  contact_name nobody
  host_notifications_enabled 0
  service_notifications_enabled 0
  host_notification_period always
  service_notification_period always
  host_notification_options n
  service_notification_options n
  host_notification_commands noop
  service_notification_commands noop
}
define host {
  host_name localhost
  address 127.0.0.1
  max_check_attempts 1
  check_period always
  contacts nobody
  check_command noop
  active_checks_enabled 0
}
`
	for i, s := range services {
		objects += fmt.Sprintf(`define command {
  command_name teko_%[1]d
  command_line %[2]s %[3]s
}
define service {
  host_name localhost
  service_description %[4]s
  check_command teko_%[1]d
  max_check_attempts 1
  check_interval 1
  retry_interval 1
  check_period always
  notification_period always
  contacts nobody
}
`, i, exe, s.command, s.name)
	}
	for name, text := range map[string]string{"nagios.cfg": cfg, "objects.cfg": objects, "resource.cfg": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			stop()
			return nil, nil, err
		}
	}
	if os.Geteuid() == 0 {
		if err := chownTree(dir, runAs); err != nil {
			stop()
			return nil, nil, err
		}
	}
	if out, err := exec.Command(nagiosBin, "-v", filepath.Join(dir, "nagios.cfg")).CombinedOutput(); err != nil {
		stop()
		return nil, nil, fmt.Errorf("nagios4 -v: %v\n%s", err, out)
	}
	p, err := servertest.Start(exec.Command(nagiosBin, filepath.Join(dir, "nagios.cfg")), filepath.Join(dir, "out.log"))
	if err != nil {
		stop()
		return nil, nil, err
	}
	return &nagiosCore{Dir: dir, Status: filepath.Join(dir, "status.dat")}, func() { p.Stop(); stop() }, nil
}

func chownTree(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

// serviceStatus returns the fields of the servicestatus block of the
// service named name in status.dat, once it has been checked.
func (n *nagiosCore) serviceStatus(name string) (map[string]string, error) {
	b, err := os.ReadFile(n.Status)
	if err != nil {
		return nil, err
	}
	for _, block := range strings.Split(string(b), "servicestatus {")[1:] {
		block, _, _ = strings.Cut(block, "}")
		fields := map[string]string{}
		for _, line := range strings.Split(block, "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if ok {
				fields[k] = v
			}
		}
		if fields["service_description"] == name {
			if fields["has_been_checked"] != "1" {
				return nil, fmt.Errorf("%s not checked yet", name)
			}
			return fields, nil
		}
	}
	return nil, fmt.Errorf("no service %s in %s", name, n.Status)
}

// nginxServer is nginx serving stub_status at StatusURL.
type nginxServer struct {
	StatusURL string
}

// startNginx runs nginx (servertest.StartNginx) with stub_status at
// /nginx_status on a free loopback port.
func startNginx() (*nginxServer, func(), error) {
	n, stop, err := servertest.StartNginx(servertest.NginxConfig{Ports: 1, HTTP: `
    server {
        listen 127.0.0.1:{{index .Ports 0}};
        location = /nginx_status { stub_status; }
    }`})
	if err != nil {
		return nil, nil, err
	}
	return &nginxServer{StatusURL: "http://" + n.Addr(0) + "/nginx_status"}, stop, nil
}
