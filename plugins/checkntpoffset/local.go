package checkntpoffset

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The local daemons check-ntpoffset asks when no server is given, by the
// name the kernel gives their process.
const (
	daemonChrony    = "chronyd"
	daemonNTPD      = "ntpd"
	daemonTimesyncd = "systemd-timesyn" // systemd-timesyncd, cut to 15 bytes by the kernel
)

// runningDaemons returns which of the known time daemons run, read from
// /proc/*/comm under procRoot (no ps). ok is false where there is no
// such /proc (not Linux).
func runningDaemons(procRoot string) (found map[string]bool, ok bool) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, false
	}
	found = map[string]bool{}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
		if err != nil {
			continue // gone, or hidden
		}
		switch name := strings.TrimSpace(string(comm)); name {
		case daemonChrony, daemonNTPD, daemonTimesyncd:
			found[name] = true
		case "ntpsec", "ntpsec-ntpd":
			found[daemonNTPD] = true
		}
	}
	return found, true
}

// runTool runs a daemon's query tool under ctx and returns its stdout.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s is not installed (or not in PATH)", name)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s did not answer in time", name)
	}
	if err != nil {
		// chronyc writes its reason ("506 Cannot talk to daemon") on
		// stdout; ntpq on stderr.
		msg := strings.TrimSpace(firstLine(stderr.String()))
		if msg == "" {
			msg = strings.TrimSpace(firstLine(string(out)))
		}
		if msg == "" {
			msg = err.Error()
		} else {
			msg += " (" + err.Error() + ")"
		}
		return nil, fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), msg)
	}
	return out, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// parseChronyTracking reads `chronyc -n -c tracking` (CSV): the offset is
// the "System time" field, the current correction of the system clock
// (positive: our clock is behind), not chrony's last sample; field 13 is
// the leap status.
func parseChronyTracking(out []byte) (Reading, error) {
	r := Reading{Source: daemonChrony}
	line := strings.TrimSpace(firstLine(string(out)))
	f := strings.Split(line, ",")
	if len(f) < 14 {
		return r, fmt.Errorf("chronyc tracking: expected 14 comma-separated fields, got %d: %.80q", len(f), line)
	}
	stratum, err := strconv.Atoi(f[2])
	if err != nil {
		return r, fmt.Errorf("chronyc tracking: stratum %q is not a number", f[2])
	}
	r.Stratum = stratum
	secs, err := strconv.ParseFloat(f[4], 64)
	if err != nil {
		return r, fmt.Errorf("chronyc tracking: system time %q is not a number", f[4])
	}
	r.Offset = time.Duration(secs * float64(time.Second))
	if leap := f[13]; leap == "Not synchronised" || stratum == 0 {
		r.Unsynced = fmt.Sprintf("chronyd is not synchronised (leap status %q, stratum %d)", leap, stratum)
	}
	return r, nil
}

// parseNTPQ reads `ntpq -c "rv 0 leap,stratum,offset"`: comma-separated
// name=value pairs over one or more lines, the offset in milliseconds.
func parseNTPQ(out []byte) (Reading, error) {
	r := Reading{Source: daemonNTPD}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		for _, kv := range strings.Split(sc.Text(), ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				vars[k] = strings.Trim(v, `"`)
			}
		}
	}
	off, ok := vars["offset"]
	if !ok {
		return r, errors.New("ntpq: no offset in its answer")
	}
	ms, err := strconv.ParseFloat(off, 64)
	if err != nil {
		return r, fmt.Errorf("ntpq: offset %q is not a number", off)
	}
	r.Offset = time.Duration(ms * float64(time.Millisecond))
	if s, ok := vars["stratum"]; ok {
		r.Stratum, _ = strconv.Atoi(s)
	}
	switch {
	case vars["leap"] == "11" || vars["leap"] == "3":
		r.Unsynced = "ntpd is not synchronised (leap 11)"
	case r.Stratum >= 16:
		r.Unsynced = fmt.Sprintf("ntpd is not synchronised (stratum %d)", r.Stratum)
	}
	return r, nil
}

// queryLocal asks the time daemon that runs here.
func queryLocal(ctx context.Context, procRoot string) (Reading, error) {
	found, ok := runningDaemons(procRoot)
	switch {
	case !ok:
		return Reading{}, errors.New("no /proc to find the time daemon in: give the servers to ask with -s")
	case found[daemonChrony]:
		out, err := runTool(ctx, "chronyc", "-n", "-c", "tracking")
		if err != nil {
			return Reading{Source: daemonChrony}, err
		}
		return parseChronyTracking(out)
	case found[daemonNTPD]:
		out, err := runTool(ctx, "ntpq", "-c", "rv 0 leap,stratum,offset")
		if err != nil {
			return Reading{Source: daemonNTPD}, err
		}
		return parseNTPQ(out)
	}
	r, err := kernelClock()
	if err != nil {
		return r, fmt.Errorf("no NTP daemon found (chronyd, ntpd, systemd-timesyncd) and %w; give the servers to ask with -s", err)
	}
	if found[daemonTimesyncd] {
		r.Source = "kernel (systemd-timesyncd)"
	}
	return r, nil
}
