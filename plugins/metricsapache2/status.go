package metricsapache2

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Status is what mod_status's machine-readable page (?auto) says. A field
// the page does not hold (Total Accesses and the CPU times need
// ExtendedStatus On) is left out of Fields.
type Status struct {
	// Fields are the page's numeric "Name: value" lines.
	Fields map[string]float64
	// Scoreboard counts the scoreboard's slots by their character.
	Scoreboard map[byte]int
	// HasScoreboard is true when the page had a Scoreboard line.
	HasScoreboard bool
}

// scoreKeys are the scoreboard's characters and the metric each one is
// counted under, as mackerel-plugin-apache2 names them ("." is the
// open slot, "score-").
var scoreKeys = []struct {
	char  byte
	name  string
	label string
}{
	{'_', "score-_", "Waiting for connection"},
	{'S', "score-S", "Starting up"},
	{'R', "score-R", "Reading request"},
	{'W', "score-W", "Sending reply"},
	{'K', "score-K", "Keepalive"},
	{'D', "score-D", "DNS lookup"},
	{'C', "score-C", "Closing connection"},
	{'L', "score-L", "Logging"},
	{'G', "score-G", "Gracefully finishing"},
	{'I', "score-I", "Idle cleanup"},
	{'.', "score-", "Open slot"},
}

// ParseStatus reads a ?auto page. A page that is HTML (the status page
// asked for without ?auto) or holds none of the fields this plugin
// reads is an error saying so.
func ParseStatus(body []byte) (*Status, error) {
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return nil, errors.New("the page is HTML, not mod_status's machine-readable form: add ?auto to the status page's path (-s /server-status?auto)")
	}
	st := &Status{Fields: map[string]float64{}, Scoreboard: map[byte]int{}}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20) // a scoreboard has a slot per worker
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "Scoreboard" {
			st.HasScoreboard = true
			for i := 0; i < len(value); i++ {
				st.Scoreboard[value[i]]++
			}
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			st.Fields[name] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the page: %w", err)
	}
	_, busy := st.Fields["BusyWorkers"]
	if !busy && !st.HasScoreboard {
		return nil, fmt.Errorf("the page is not mod_status's ?auto output (no BusyWorkers, no Scoreboard): %.60q", firstLine(trimmed))
	}
	return st, nil
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}

// BytesSent returns the bytes served since the server started: Total
// kBytes times 1024 (mod_status counts in KiB).
func (s *Status) BytesSent() (uint64, bool) {
	kb, ok := s.Fields["Total kBytes"]
	if !ok || kb < 0 {
		return 0, false
	}
	return uint64(kb) * 1024, true
}

// CPULoad returns the CPU load mod_status computes: CPU time used by the
// server per second of uptime, in percent. Apache leaves the CPULoad line
// out while no CPU time has been counted; it is then computed from the
// CPU fields the page holds (0 while they are 0).
func (s *Status) CPULoad() (float64, bool) {
	if v, ok := s.Fields["CPULoad"]; ok {
		return v, true
	}
	uptime, ok := s.Fields["Uptime"]
	if !ok || uptime <= 0 {
		return 0, false
	}
	total := 0.0
	for _, f := range []string{"CPUUser", "CPUSystem", "CPUChildrenUser", "CPUChildrenSystem"} {
		v, ok := s.Fields[f]
		if !ok {
			return 0, false
		}
		total += v
	}
	return total / uptime * 100, true
}
