package procfs

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/plugin/mounts"
)

// Hiding is how a procfs mount hides other users' processes: its
// hidepid= and gid= options.
type Hiding struct {
	// Mode is "" (nothing hidden: hidepid=0 or off, or not given),
	// "noaccess" (hidepid=1: listed, but their files cannot be read),
	// "invisible" (hidepid=2: not listed at all) or "ptraceable"
	// (hidepid=4: only those the reader may ptrace are listed).
	Mode string
	// GID is the group whose members see every process (gid=), -1 when
	// none is given. Root sees every process whatever the options.
	GID int
}

// HidePID reads how procfs at ProcPath() hides processes, from the
// reading process's mount table (ProcPath("self", "mountinfo"), parsed
// by package mounts).
func (fsys FS) HidePID() (Hiding, error) {
	path := fsys.ProcPath("self", "mountinfo")
	f, err := os.Open(path)
	if err != nil {
		return Hiding{GID: -1}, err
	}
	defer f.Close()
	ms, err := mounts.Parse(f)
	if err != nil {
		return Hiding{GID: -1}, fmt.Errorf("%s: %w", path, err)
	}
	return HidePIDOf(ms, fsys.ProcPath()), nil
}

// HidePIDOf tells how the procfs mounted at mountPoint in the table ms
// hides processes. Of several procfs mounted there, the last counts.
func HidePIDOf(ms []mounts.Mount, mountPoint string) Hiding {
	h := Hiding{GID: -1}
	for _, m := range ms {
		if m.Type != "proc" || m.Point != mountPoint {
			continue
		}
		h = Hiding{GID: -1}
		for _, o := range m.SuperOptions {
			k, v, _ := strings.Cut(o, "=")
			switch k {
			case "hidepid":
				h.Mode = map[string]string{"1": "noaccess", "noaccess": "noaccess", "2": "invisible", "invisible": "invisible", "4": "ptraceable", "ptraceable": "ptraceable"}[v]
			case "gid":
				if g, err := strconv.Atoi(v); err == nil {
					h.GID = g
				}
			}
		}
	}
	return h
}
