//go:build darwin || freebsd || linux

package proctable

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// psPath is the system's ps, named in full so that PATH cannot swap it.
const psPath = "/bin/ps"

// psHasThreads tells whether ps has the nlwp column (FreeBSD's and
// procps' have, darwin's has not).
var psHasThreads = runtime.GOOS != "darwin"

// psFields are the facts the main ps run gives.
const psFields = Args | PPID | State | Times | Memory | UID

// psSource answers the one question the main ps run leaves open: the
// name of a process read without it.
type psSource struct{ ctx context.Context }

// readPS reads the process table with ps: the table of darwin and
// FreeBSD. Linux reads /proc instead, and runs this only in tests, where
// procps' ps (which takes the same arguments) checks it against /proc.
func readPS(ctx context.Context, need Fields) (*Table, error) {
	if need&Threads != 0 && !psHasThreads {
		return nil, unsupportedError(Threads, runtime.GOOS)
	}
	columns := "pid=,ppid=,uid=,state=,etime=,time=,rss=,vsz="
	loaded := psFields
	if psHasThreads {
		columns += ",nlwp="
		loaded |= Threads
	}
	out, self, err := runPS(ctx, "-axww", "-o", columns+",command=")
	if err != nil {
		return nil, err
	}
	src := &psSource{ctx: ctx}
	t := &Table{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		p, err := parsePSLine(sc.Text(), psHasThreads)
		if err != nil {
			return nil, err
		}
		if p.PID == self {
			continue
		}
		p.loaded, p.src = loaded, src
		t.Processes = append(t.Processes, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the output of ps: %w", err)
	}
	if need&Name != 0 {
		if err := src.loadNames(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// runPS runs ps with args under the C locale and returns its output and
// its own PID.
func runPS(ctx context.Context, args ...string) ([]byte, int, error) {
	cmd := exec.CommandContext(ctx, psPath, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("listing processes: %w", err)
	}
	self := cmd.Process.Pid
	if err := cmd.Wait(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, 0, fmt.Errorf("listing processes: %s %s: %w", psPath, strings.Join(args, " "), err)
	}
	return stdout.Bytes(), self, nil
}

// loadNames fills in the names of t's processes from a second ps run.
func (s *psSource) loadNames(t *Table) error {
	out, _, err := runPS(s.ctx, "-axww", "-o", "pid=,ucomm=")
	if err != nil {
		return err
	}
	names := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		pid, name, ok := strings.Cut(strings.TrimLeft(line, " "), " ")
		if v, err := strconv.Atoi(pid); ok && err == nil {
			names[v] = strings.TrimLeft(name, " ")
		}
	}
	for i := range t.Processes {
		p := &t.Processes[i]
		if name, ok := names[p.PID]; ok {
			p.Name = name
			p.loaded |= Name
		}
	}
	return nil
}

func (s *psSource) load(p *Process, f Fields) error {
	if f&Threads != 0 {
		return unsupportedError(Threads, runtime.GOOS)
	}
	if f&Name == 0 {
		return nil
	}
	out, _, err := runPS(s.ctx, "-o", "ucomm=", "-p", strconv.Itoa(p.PID))
	if err != nil {
		return ErrGone // ps exits 1 for a PID that is not running
	}
	p.Name = strings.TrimSpace(string(out))
	return nil
}
