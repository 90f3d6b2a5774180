package metricsapache2

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// apache is a real Apache httpd from Debian, started once for the
// package: mod_status with ExtendedStatus at /server-status, a 1 MiB file
// at /big.bin, on a free loopback port.
var apache servertest.Shared[*httpd]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	apache.Close()
	os.Exit(code)
}

type httpd struct {
	Port int
	Dir  string
}

const httpdConf = `ServerRoot /usr/lib/apache2
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule status_module modules/mod_status.so
Listen 127.0.0.1:%d
ServerName localhost
PidFile %[2]s/httpd.pid
ErrorLog %[2]s/error.log
DocumentRoot %[2]s/htdocs
ExtendedStatus On
<Location /server-status>
  SetHandler server-status
  Require ip 127.0.0.1
</Location>
`

// bigSize is the size of /big.bin.
const bigSize = 1 << 20

func startApache() (*httpd, func(), error) {
	bin, err := servertest.Find("apache2", "apache2")
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat("/usr/lib/apache2/modules/mod_status.so"); err != nil {
		return nil, nil, &servertest.NotInstalledError{Names: []string{"mod_status.so"}, Package: "apache2"}
	}
	dir, err := servertest.TempDir("apache")
	if err != nil {
		return nil, nil, err
	}
	port, err := servertest.FreePort()
	if err != nil {
		return nil, nil, err
	}
	h := &httpd{Port: port, Dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "htdocs", "big.bin"), make([]byte, bigSize), 0o644); err != nil {
		return nil, nil, err
	}
	conf := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(httpdConf, port, dir)), 0o644); err != nil {
		return nil, nil, err
	}
	p, err := servertest.Start(exec.Command(bin, "-f", conf, "-DFOREGROUND"), filepath.Join(dir, "apache2.log"))
	if err != nil {
		return nil, nil, err
	}
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	if err := p.WaitWithin(30*time.Second, func() error { return servertest.WaitDial("tcp", "127.0.0.1:"+strconv.Itoa(port), 0) }); err != nil {
		stop()
		return nil, nil, fmt.Errorf("%w; error.log: %s", err, servertest.Tail(filepath.Join(dir, "error.log"), 1000))
	}
	return h, stop, nil
}
