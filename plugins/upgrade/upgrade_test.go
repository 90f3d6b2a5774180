//go:build unix

package upgrade

import (
	"archive/tar"
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	if old.dir != "" {
		os.RemoveAll(old.dir)
	}
	os.Exit(code)
}

// previous is the release upgraded from: the last commit before the
// state key became "the options off their defaults", whose scheme (a
// hash of every option, defaults included, in a shared $TMPDIR/teko)
// this build must still find.
const previous = "7888c66"

var old struct {
	once sync.Once
	dir  string // the binaries check-log and metrics-nginx of previous
	err  error
	skip string
}

// oldBinaries builds check-log and metrics-nginx of the previous release
// from git history, once per test process.
func oldBinaries(t *testing.T) string {
	t.Helper()
	old.once.Do(func() {
		top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
		if err != nil {
			old.skip = "not in a git checkout: " + err.Error()
			return
		}
		root := strings.TrimSpace(string(top))
		if exec.Command("git", "-C", root, "cat-file", "-e", previous+"^{commit}").Run() != nil {
			old.skip = "commit " + previous + " is not in the git history (a shallow clone?)"
			return
		}
		dir, err := os.MkdirTemp("", "teko-upgrade")
		if err != nil {
			old.err = err
			return
		}
		old.dir = dir
		src := filepath.Join(dir, "src")
		archive, err := exec.Command("git", "-C", root, "archive", "--format=tar", previous).Output()
		if err != nil {
			old.err = fmt.Errorf("git archive %s: %w", previous, err)
			return
		}
		if old.err = untar(archive, src); old.err != nil {
			return
		}
		build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./plugins/cmd/check-log", "./plugins/cmd/metrics-nginx")
		build.Dir = src
		build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		if out, err := build.CombinedOutput(); err != nil {
			old.err = fmt.Errorf("building %s: %v\n%s", previous, err, out)
		}
	})
	if old.skip != "" {
		t.Skip(old.skip)
	}
	require.NoError(t, old.err)
	return old.dir
}

func untar(archive []byte, dst string) error {
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		path := filepath.Join(dst, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(path, filepath.Clean(dst)+string(filepath.Separator)) {
			return fmt.Errorf("archive entry %q leaves the directory", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return err
			}
		}
	}
}

type run struct {
	code           int
	stdout, stderr string
}

func runBinary(t *testing.T, exe string, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", exe, err)
	}
	return run{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// environ is a clean environment for the plugins: the agent's locale,
// a private temporary directory, and extra.
func environ(tmp string, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "LANG=C", "LC_ALL=C", "TMPDIR=" + tmp}, extra...)
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	for i := from; i <= to; i++ {
		fmt.Fprintf(f, "ERROR line %d\n", i)
	}
	require.NoError(t, f.Close())
}

// reported returns the numbers of the lines a check-log -r message shows.
func reported(out string) []int {
	var n []int
	for _, line := range strings.Split(out, "\n") {
		if _, num, ok := strings.Cut(line, "ERROR line "); ok {
			if v, err := strconv.Atoi(strings.TrimSpace(num)); err == nil {
				n = append(n, v)
			}
		}
	}
	return n
}

// check-log: Mackerel's check-log → previous → this build, on the
// default state directory. Every line is reported once: none lost
// around the upgrade, none repeated (Mackerel's position file, still
// there, is not taken over a second time).
func TestCheckLogUpgrade(t *testing.T) {
	oldDir := oldBinaries(t)
	oldExe := filepath.Join(oldDir, "check-log")
	newExe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-log")

	tmp := t.TempDir()
	log := filepath.Join(tmp, "logs", "app.log")
	require.NoError(t, os.MkdirAll(filepath.Dir(log), 0o755))
	appendLines(t, log, 1, 3)
	args := []string{"-f", log, "-p", "ERROR", "-r"}

	// Mackerel's check-log had read lines 1 and 2.
	fi, err := os.Stat(log)
	require.NoError(t, err)
	ino := fi.Sys().(*syscall.Stat_t).Ino
	mackerel := filepath.Join(tmp, "check-log", fmt.Sprintf("%s-%x.json", log, md5.Sum([]byte(strings.Join(args, " ")))))
	require.NoError(t, os.MkdirAll(filepath.Dir(mackerel), 0o755))
	require.NoError(t, os.WriteFile(mackerel, []byte(fmt.Sprintf(`{"skip_bytes":%d,"inode":%d}`, len("ERROR line 1\nERROR line 2\n"), ino)), 0o644))

	env := environ(tmp)
	r := runBinary(t, oldExe, env, args...)
	assert.Equal(t, []int{3}, reported(r.stdout), "the previous release took over from Mackerel's: %+v", r)
	appendLines(t, log, 4, 5)
	r = runBinary(t, oldExe, env, args...)
	assert.Equal(t, []int{4, 5}, reported(r.stdout), "%+v", r)
	require.DirExists(t, filepath.Join(tmp, "teko"), "the previous release's shared directory")

	appendLines(t, log, 6, 7) // written around the upgrade
	r = runBinary(t, newExe, env, args...)
	assert.Equal(t, 2, r.code, "%+v", r)
	assert.Equal(t, []int{6, 7}, reported(r.stdout), "the upgrade loses and repeats nothing: %+v", r)
	r = runBinary(t, newExe, env, args...)
	assert.Equal(t, 0, r.code, "%+v", r)
	assert.Empty(t, reported(r.stdout), "%+v", r)
	appendLines(t, log, 8, 8)
	r = runBinary(t, newExe, env, args...)
	assert.Equal(t, []int{8}, reported(r.stdout), "%+v", r)
	assert.NoDirExists(t, filepath.Join(tmp, "teko", "check-log"), "sanity")
}

// metrics-nginx: rates on the first run of this build after the
// previous release's last run, in MACKEREL_PLUGIN_WORKDIR.
func TestMetricsNginxUpgrade(t *testing.T) {
	oldDir := oldBinaries(t)
	oldExe := filepath.Join(oldDir, "metrics-nginx")
	newExe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/metrics-nginx")

	var accepts atomic.Int64
	accepts.Store(1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := accepts.Add(60)
		fmt.Fprintf(w, "Active connections: 3 \nserver accepts handled requests\n %d %d %d \nReading: 0 Writing: 1 Waiting: 2 \n", a, a, 2*a)
	}))
	defer srv.Close()

	tmp := t.TempDir()
	env := environ(tmp, "MACKEREL_PLUGIN_WORKDIR="+filepath.Join(tmp, "work"))
	args := []string{"--uri", srv.URL + "/nginx_status"}

	t0 := time.Now()
	r := runBinary(t, oldExe, env, args...)
	t1 := time.Now()
	require.Equal(t, 0, r.code, "%+v", r)
	require.Contains(t, r.stdout, "nginx.connections.connections\t3\t")
	require.NotContains(t, r.stdout, "nginx.requests.accepts", "no rate on a first run")

	time.Sleep(1100 * time.Millisecond) // rates need a second between samples
	t2 := time.Now()
	r = runBinary(t, newExe, env, args...)
	t3 := time.Now()
	require.Equal(t, 0, r.code, "%+v", r)
	rates := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 3, line)
		v, err := strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		rates[f[0]] = v
	}
	// 60 accepts (and 120 requests) between the runs, per minute.
	lo, hi := 60*60/t3.Sub(t0).Seconds(), 60*60/t2.Sub(t1).Seconds()
	for name, per := range map[string]float64{"nginx.requests.accepts": 1, "nginx.requests.handled": 1, "nginx.requests.requests": 2} {
		require.Contains(t, rates, name, "a rate on the first run after the upgrade: %+v", r)
		assert.GreaterOrEqual(t, rates[name], per*lo*0.999, name)
		assert.LessOrEqual(t, rates[name], per*hi*1.001, name)
	}
	assert.Equal(t, 3.0, rates["nginx.connections.connections"])
}
