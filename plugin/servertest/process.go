package servertest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Grace is how long Stop waits after SIGTERM before SIGKILL.
var Grace = 10 * time.Second

// Process is a server started by Start.
type Process struct {
	Cmd *exec.Cmd
	Log string // the file holding the process's stdout and stderr

	exited chan struct{}
	err    error
}

// Start runs cmd in a new process group with stdout and stderr appended
// to logFile (created if needed). The process is not waited for: use
// WaitDial or WaitFor, and Exited to notice an early death.
func Start(cmd *exec.Cmd, logFile string) (*Process, error) {
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Cmd: cmd, Log: logFile, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// Exited returns a non-nil error, with the end of the log, once the
// process has ended; nil while it runs. A ready function passed to
// WaitFor can return it to stop waiting for a dead server early.
func (p *Process) Exited() error {
	select {
	case <-p.exited:
		return fmt.Errorf("%s exited (%v): %s", p.Cmd.Path, p.err, Tail(p.Log, 2000))
	default:
		return nil
	}
}

// Stop ends the process group: SIGTERM, then SIGKILL after Grace, and
// waits for the process.
func (p *Process) Stop() {
	if p == nil || p.Cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	signalGroup(p.Cmd.Process.Pid, false)
	select {
	case <-p.exited:
	case <-time.After(Grace):
		signalGroup(p.Cmd.Process.Pid, true)
		<-p.exited
	}
}

// WaitWithin waits for a started server to become ready, and fails fast
// with its log when it dies first.
func (p *Process) WaitWithin(timeout time.Duration, ready func() error) error {
	return WaitFor(timeout, func() error {
		if err := p.Exited(); err != nil {
			return stopWaiting{err}
		}
		return ready()
	})
}

type stopWaiting struct{ error }

// ReadPID reads a pid file.
func ReadPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s: not a pid: %q", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// StopPIDFile stops a daemon that forked and wrote its pid to path:
// SIGTERM, then SIGKILL after Grace. A missing file is not an error.
func StopPIDFile(path string) error {
	pid, err := ReadPID(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return stopPID(pid)
}

// Tail returns at most the last n bytes of a file, for error messages.
func Tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		f.Seek(fi.Size()-n, 0)
	}
	b := make([]byte, n)
	k, _ := f.Read(b)
	return strings.TrimSpace(string(b[:k]))
}
