//go:build linux

package servertest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Docker is a private Docker engine started by StartDocker: its own data
// and exec roots and API socket in a temp directory, no networking of
// its own (no bridge, no iptables rules), the vfs storage driver, and one
// image, Image, made from busybox-static (no registry is needed).
type Docker struct {
	Dir    string // the temp directory holding everything
	Socket string // the API's unix socket
	Host   string // "unix://" + Socket, as docker -H and plugins take it
	Log    string // dockerd's output
	Image  string // "tinybox:1": /bin/busybox with sh, sleep, dd, cat, sync and true

	proc *Process
	cli  string
}

// tinyboxApplets are the busybox applets linked in the image's /bin.
var tinyboxApplets = []string{"sh", "sleep", "dd", "cat", "sync", "true"}

// StartDocker starts dockerd (Debian package docker.io) as
//
//	dockerd --data-root D/data --exec-root D/exec --pidfile D/pid
//	  -H unix://D/docker.sock --iptables=false --bridge=none --storage-driver=vfs
//
// and imports the image Image from the static busybox (Debian package
// busybox-static). Run containers with `--network none`. It needs root;
// without root, dockerd, the docker client or a static busybox it
// returns a NotInstalledError (a skip outside CI). Stop removes every
// container, ends the engine and removes the directory.
func StartDocker() (*Docker, error) {
	if os.Geteuid() != 0 {
		return nil, &NotInstalledError{Names: []string{"dockerd"}, Package: "docker.io", Reason: "a private dockerd needs root (run the tests as root)"}
	}
	daemon, err := Find("docker.io", "dockerd")
	if err != nil {
		return nil, err
	}
	cli, err := Find("docker.io", "docker")
	if err != nil {
		return nil, err
	}
	busybox, err := Find("busybox-static", "/bin/busybox", "/usr/bin/busybox")
	if err != nil {
		return nil, err
	}
	if !isStatic(busybox) {
		return nil, &NotInstalledError{Names: []string{"a static busybox"}, Package: "busybox-static"}
	}
	dir, err := TempDir("docker")
	if err != nil {
		return nil, err
	}
	d := &Docker{
		Dir:    dir,
		Socket: filepath.Join(dir, "docker.sock"),
		Log:    filepath.Join(dir, "dockerd.log"),
		Image:  "tinybox:1",
		cli:    cli,
	}
	d.Host = "unix://" + d.Socket
	ok := false
	defer func() {
		if !ok {
			d.Stop()
		}
	}()
	cmd := exec.Command(daemon,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "pid"),
		"-H", d.Host,
		"--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
		"--shutdown-timeout=1",
	)
	if d.proc, err = Start(cmd, d.Log); err != nil {
		return nil, err
	}
	if err := d.proc.WaitWithin(60*time.Second, func() error {
		_, err := d.CLI("version", "--format", "{{.Server.Version}}")
		return err
	}); err != nil {
		return nil, fmt.Errorf("dockerd: %w; log: %s", err, Tail(d.Log, 2000))
	}
	image, err := tinybox(busybox)
	if err != nil {
		return nil, err
	}
	if _, err := d.cliInput(bytes.NewReader(image), "import", "-", d.Image); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

// isStatic reports whether the ELF file at path has no program
// interpreter, i.e. runs in an empty root.
func isStatic(path string) bool {
	out, err := os.ReadFile(path)
	return err == nil && !bytes.Contains(out[:min(len(out), 4096)], []byte("ld-linux"))
}

// tinybox is a rootfs tar: /bin/busybox, its applet links and /tmp.
func tinybox(busybox string) ([]byte, error) {
	bin, err := os.ReadFile(busybox)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	hdrs := []*tar.Header{
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: now},
		{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777, ModTime: now},
		{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin)), ModTime: now},
	}
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	for _, a := range tinyboxApplets {
		if err := tw.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777, ModTime: now}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CLI runs the docker client against this engine with args and returns
// its output, trimmed; an error carries the client's stderr. It gives up
// after a minute.
func (d *Docker) CLI(args ...string) (string, error) {
	return d.cliInput(nil, args...)
}

func (d *Docker) cliInput(stdin io.Reader, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.cli, append([]string{"-H", d.Host}, args...)...)
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+filepath.Join(d.Dir, "client"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Stop removes every container (so that none outlives the engine), ends
// dockerd (which ends the containerd it started), unmounts what it left
// mounted under Dir and removes Dir. It is safe to call on a nil Docker.
func (d *Docker) Stop() {
	if d == nil {
		return
	}
	if d.proc != nil && d.proc.Exited() == nil {
		if ids, err := d.CLI("ps", "-aq"); err == nil && ids != "" {
			d.CLI(append([]string{"rm", "-f"}, strings.Fields(ids)...)...)
		}
		d.proc.Stop()
	}
	unmountUnder(d.Dir)
	os.RemoveAll(d.Dir)
}

// unmountUnder detaches every mount point under dir, deepest first.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			points = append(points, fields[4])
		}
	}
	slices.Sort(points)
	for _, p := range slices.Backward(points) {
		unix.Unmount(p, unix.MNT_DETACH)
	}
}
