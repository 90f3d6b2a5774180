//go:build unix

package checklog_test

import (
	"os/exec"
	"syscall"
)

// setCredential makes cmd run as the given user and group.
func setCredential(cmd *exec.Cmd, uid, gid uint32) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
}
