package servertest

import (
	"os"
	"os/exec"
)

func setProcessGroup(*exec.Cmd) {}

func signalGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func stopPID(pid int) error {
	signalGroup(pid, true)
	return nil
}
