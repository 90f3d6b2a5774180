package checkprocs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/servertest"
)

// Zero means unset, as in the old check-procs: configurations made from
// templates carry "-E 0 -I 0 -i 0 -e 0" and an empty -x for filters they do
// not use. Read as real filters ("younger than 0 s", "exclude every
// command line") they made the check a silent false CRITICAL.
func TestZeroMeansUnset(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 2, tag)
	for _, args := range []string{
		"-E 0 -I 0 -i 0 -e 0",
		"--esec-under=0 --cpu-under 0.0 --cpu-over=0s --esec-over 0",
		"-x ''",
		"-x '' -x 'nothing-like-this'",
		"-z 0 -r 0 -P 0 -T 0", // the old size filters, which are refused with a value
	} {
		code, out := shell(t, `"$CHECK_PROCS" -p `+tag+` `+args)
		assert.Equal(t, 0, code, "%s: %s", args, out)
		assert.True(t, strings.HasPrefix(out, "PROCS OK: 2 processes matching /"+tag+"/\n"), "%s: %s", args, out)
		assert.NotContains(t, out, "counting only processes running", args)
		assert.NotContains(t, out, "not matching //", args)
	}
	code, out := shell(t, `"$CHECK_PROCS" -p `+tag+` -E 0 -e 3600`)
	assert.Equal(t, 2, code, "a limit beside a zero one still counts: %s", out)
	code, out = shell(t, `"$CHECK_PROCS" -p `+tag+` -z 100`)
	assert.Equal(t, 3, code, "a real value of an old size filter is still refused: %s", out)
}

// /proc mounted hidepid=invisible hides other users' processes from a
// check that is not root: a daemon of another user counted 0 and the
// check was a false CRITICAL with no hint. The test mounts such a procfs
// in a mount namespace of its own and runs the built check there as
// nobody, while root's processes match.
func TestHidePIDInvisible(t *testing.T) {
	linuxOnly(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a procfs and changing user needs root")
	}
	servertest.Binary(t, "util-linux", "unshare")
	servertest.Binary(t, "util-linux", "setpriv")
	if out, err := exec.Command("unshare", "-m", "sh", "-c", "mount -t proc -o hidepid=invisible proc /proc").CombinedOutput(); err != nil {
		t.Skipf("cannot mount a procfs in a mount namespace here (a container without CAP_SYS_ADMIN?): %v %s", err, out)
	}
	tag := newTag()
	sleepers := startSleepers(t, 2, tag)
	// nobody must be able to run the binary: copy it where it can
	dir, err := os.MkdirTemp("", "checkprocs")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.Chmod(dir, 0o755))
	exe := filepath.Join(dir, "checkprocs.test")
	b, err := os.ReadFile(testBinary(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, b, 0o755))
	// one sleeper of nobody's own
	ownTag := newTag()
	own := exec.Command(exe, ownTag)
	own.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	startReady(t, own)

	run := func(mountOpts string, args ...string) (int, string) {
		t.Helper()
		script := fmt.Sprintf(`mount -t proc -o %s proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups env %s=1 %s "$@"`, mountOpts, "CHECKPROCS_TEST_PLUGIN", exe)
		cmd := exec.Command("unshare", append([]string{"-m", "sh", "-c", script, "sh"}, args...)...)
		out, err := cmd.Output()
		if _, exited := err.(*exec.ExitError); err != nil && !exited {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}

	code, out := run("hidepid=invisible", "-p", tag)
	assert.Equal(t, 3, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS UNKNOWN: 0 processes matching /"+tag+"/ visible, but other users' processes are hidden (/proc is mounted with hidepid=invisible and this check runs as uid 65534), so the real count may be higher"), out)
	assert.NotContains(t, out, "CRITICAL")

	// a count above its maximum stands: hidden processes only add to it
	code, out = run("hidepid=invisible", "-p", tag+"|"+ownTag, "-c", "0", "-W", "0", "-C", "0")
	assert.Equal(t, 2, code, out)
	assert.Contains(t, out, "PROCS CRITICAL: 1 process matching /"+tag+"|"+ownTag+"/", "nobody's own sleeper")
	assert.Contains(t, out, "other users' processes are hidden from this check")

	// "none may run" (-w 0 -c 0 -W 0 -C 0): 0 visible is no proof that
	// none runs, so not a silent OK; likewise a count under an upper
	// bound that the hidden processes could pass
	code, out = run("hidepid=invisible", "-p", tag, "-w", "0", "-c", "0", "-W", "0", "-C", "0")
	assert.Equal(t, 3, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS UNKNOWN: 0 processes matching /"+tag+"/ visible, but other users' processes are hidden"), out)
	code, out = run("hidepid=invisible", "-p", tag+"|"+ownTag, "-c", "1", "-W", "0", "-C", "0")
	assert.Equal(t, 3, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS UNKNOWN: 1 process matching"), out)
	code, out = run("hidepid=invisible", "-p", ownTag, "-u", "nobody", "-c", "1")
	assert.Equal(t, 0, code, "-u of its own user: exact, so OK stands: %s", out)

	// its own user's processes are all visible: an exact count
	code, out = run("hidepid=invisible", "-p", ownTag, "-u", "nobody")
	assert.Equal(t, 0, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS OK: 1 process matching"), out)
	assert.NotContains(t, out, "hidden")

	// -f with a hidden PID: it runs, and the check says so
	pid := strconv.Itoa(sleepers[0].Process.Pid)
	code, out = run("hidepid=invisible", "-f", pid)
	assert.Equal(t, 3, code, out)
	assert.Contains(t, out, "PID "+pid+" runs but is hidden from this check")

	// the gid= group sees everything, and so do the counts
	code, out = run("hidepid=invisible,gid=65534", "-p", tag)
	assert.Equal(t, 0, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS OK: 2 processes matching /"+tag+"/"), out)

	// hidepid=noaccess lists other users' processes but they cannot be
	// read: a count they could change is UNKNOWN as well, naming it
	code, out = run("hidepid=noaccess", "-p", tag)
	assert.Equal(t, 3, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS UNKNOWN: 0 processes matching /"+tag+"/ counted, but "), out)
	assert.Contains(t, strings.SplitN(out, "\n", 2)[0], "processes could not be read (")
	assert.NotContains(t, out, "CRITICAL")
	code, out = run("hidepid=noaccess", "-p", tag, "-w", "0", "-c", "0", "-W", "0", "-C", "0")
	assert.Equal(t, 3, code, "none may run, and some could not be read: %s", out)

	// hidepid=2 is the same as invisible; hidepid=0 hides nothing
	code, out = run("hidepid=2", "-p", tag)
	assert.Equal(t, 3, code, out)
	code, out = run("hidepid=0", "-p", tag)
	assert.Equal(t, 0, code, out)
	assert.True(t, strings.HasPrefix(out, "PROCS OK: 2 processes matching /"+tag+"/\n"), out)
}
