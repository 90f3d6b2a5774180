package checkprocs_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A user name longer than 8 characters matches: ps cuts such names, so
// the old check-procs never matched them.
func TestLongUserName(t *testing.T) {
	linuxOnly(t)
	if os.Geteuid() != 0 {
		t.Skip("starting a process as another user needs root")
	}
	name, uid := longUser(t)
	tag := newTag()
	// The other user must be able to run the binary: copy it where it can.
	dir, err := os.MkdirTemp("", "checkprocs")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.Chmod(dir, 0o755))
	exe := filepath.Join(dir, "checkprocs.test")
	b, err := os.ReadFile(testBinary(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, b, 0o755))
	cmd := exec.Command(exe, tag)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	startReady(t, cmd)
	r := check(t, "-p", tag, "-u", name)
	assert.Equal(t, "PROCS OK: 1 process matching /"+tag+"/\ncounting only processes owned by "+name+"\nOK: 1 process matching /"+tag+"/\n", r.Stdout)
}

// longUser finds a user in /etc/passwd whose name is longer than 8
// characters, such as systemd-network.
func longUser(t *testing.T) (string, int) {
	t.Helper()
	f, err := os.Open("/etc/passwd")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 3 || len(fields[0]) <= 8 {
			continue
		}
		if uid, err := strconv.Atoi(fields[2]); err == nil && uid != 0 {
			return fields[0], uid
		}
	}
	t.Skip("no user with a name longer than 8 characters in /etc/passwd")
	return "", 0
}
