//go:build windows

package proctable

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// snapshotFields are the facts the toolhelp snapshot gives.
const snapshotFields = Name | PPID | Threads

// stillActive is the exit code GetExitCodeProcess reports for a process
// that is running.
const stillActive = 259

// vmCounters is the VM_COUNTERS structure NtQueryInformationProcess
// fills for ProcessVmCounters.
type vmCounters struct {
	PeakVirtualSize            uintptr
	VirtualSize                uintptr
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// winSource asks each process for the facts the snapshot lacks.
type winSource struct {
	buf []byte
}

func read(ctx context.Context, need Fields) (*Table, error) {
	if need&State != 0 {
		return nil, unsupportedError(State, "windows")
	}
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	defer windows.CloseHandle(snap)
	src := &winSource{buf: make([]byte, 1024)}
	t := &Table{}
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		t.Processes = append(t.Processes, Process{
			PID:     int(e.ProcessID),
			PPID:    int(e.ParentProcessID),
			Threads: int(e.Threads),
			Name:    windows.UTF16ToString(e.ExeFile[:]),
			loaded:  snapshotFields,
			src:     src,
		})
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	return t, ctx.Err()
}

func (s *winSource) load(p *Process, f Fields) error {
	if f&State != 0 {
		return unsupportedError(State, "windows")
	}
	if p.PID == 0 || p.PID == 4 { // System Idle Process and System: no command line, no handle
		if f&^Args != 0 {
			return fmt.Errorf("process %d (%s): the system does not give its %s", p.PID, p.Name, f&^Args)
		}
		p.Args, p.Argv0 = placeholderArgs(p.Name), ""
		return nil
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(p.PID))
	if err != nil {
		if errors.Is(err, windows.ERROR_INVALID_PARAMETER) {
			return ErrGone
		}
		return fmt.Errorf("process %d (%s): %w", p.PID, p.Name, err)
	}
	defer windows.CloseHandle(h)
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err == nil && code != stillActive {
		return ErrGone
	}
	if f&Args != 0 {
		if err := s.loadArgs(h, p); err != nil {
			return err
		}
	}
	if f&Times != 0 {
		var created, exited, kernel, user windows.Filetime
		if err := windows.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
			return fmt.Errorf("process %d (%s): times: %w", p.PID, p.Name, err)
		}
		p.Elapsed = max(time.Since(time.Unix(0, created.Nanoseconds())), 0)
		p.CPUTime = filetimeDuration(kernel) + filetimeDuration(user)
	}
	if f&Memory != 0 {
		var vm vmCounters
		if err := windows.NtQueryInformationProcess(h, windows.ProcessVmCounters, unsafe.Pointer(&vm), uint32(unsafe.Sizeof(vm)), nil); err != nil {
			return fmt.Errorf("process %d (%s): memory: %w", p.PID, p.Name, err)
		}
		p.RSS, p.VSZ = uint64(vm.WorkingSetSize), uint64(vm.VirtualSize)
	}
	if f&UID != 0 {
		var tok windows.Token
		if err := windows.OpenProcessToken(h, windows.TOKEN_QUERY, &tok); err != nil {
			return fmt.Errorf("process %d (%s): owner: %w", p.PID, p.Name, err)
		}
		defer tok.Close()
		u, err := tok.GetTokenUser()
		if err != nil {
			return fmt.Errorf("process %d (%s): owner: %w", p.PID, p.Name, err)
		}
		p.UID = u.User.Sid.String()
	}
	return nil
}

// filetimeDuration reads a FILETIME that holds a duration, in 100 ns units.
func filetimeDuration(ft windows.Filetime) time.Duration {
	return time.Duration(uint64(ft.HighDateTime)<<32|uint64(ft.LowDateTime)) * 100
}

// loadArgs asks for the command line (ProcessCommandLineInformation,
// Windows 8.1 and later): a UNICODE_STRING followed by its text.
func (s *winSource) loadArgs(h windows.Handle, p *Process) error {
	for {
		var size uint32
		err := windows.NtQueryInformationProcess(h, windows.ProcessCommandLineInformation, unsafe.Pointer(&s.buf[0]), uint32(len(s.buf)), &size)
		if errors.Is(err, windows.STATUS_INFO_LENGTH_MISMATCH) || errors.Is(err, windows.STATUS_BUFFER_TOO_SMALL) || errors.Is(err, windows.STATUS_BUFFER_OVERFLOW) {
			if int(size) <= len(s.buf) {
				size = uint32(2 * len(s.buf))
			}
			s.buf = make([]byte, size)
			continue
		}
		if err != nil {
			return fmt.Errorf("process %d (%s): command line: %w", p.PID, p.Name, err)
		}
		us := (*windows.NTUnicodeString)(unsafe.Pointer(&s.buf[0]))
		p.Args = strings.TrimSpace(us.String())
		if p.Args == "" {
			p.Args, p.Argv0 = placeholderArgs(p.Name), ""
		} else {
			p.Argv0 = firstArg(p.Args)
		}
		return nil
	}
}

// firstArg is the program part of a Windows command line: up to the
// first space, or the quoted text when it starts with a quote.
func firstArg(cmdline string) string {
	if rest, ok := strings.CutPrefix(cmdline, `"`); ok {
		arg, _, _ := strings.Cut(rest, `"`)
		return arg
	}
	arg, _, _ := strings.Cut(cmdline, " ")
	return arg
}
