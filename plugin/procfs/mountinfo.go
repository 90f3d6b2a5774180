package procfs

import (
	"bytes"
	"strconv"
	"strings"
)

// Mount is one line of /proc/PID/mountinfo (proc(5)).
type Mount struct {
	ID, ParentID int
	Major, Minor int    // the device (st_dev) of the file system
	Root         string // the directory of the file system mounted here
	MountPoint   string
	Options      string   // per-mount options: rw,nosuid,relatime
	Optional     []string // shared:N, master:N, …
	FSType       string   // ext4, proc, fuse.sshfs, …
	Source       string   // /dev/sda1, tmpfs, server:/export
	SuperOptions string   // per-file-system options: rw,hidepid=invisible
}

// Mounts reads the reading process's mount table, /proc/self/mountinfo,
// with the octal escapes the kernel writes for space, tab, newline and
// backslash (\040, \011, \012, \134) decoded.
func (fsys FS) Mounts() ([]Mount, error) {
	path := fsys.ProcPath("self", "mountinfo")
	var mounts []Mount
	err := eachLine(path, func(line []byte, n int) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		m, ok := ParseMountInfoLine(string(line))
		if !ok {
			return parseError(path, n, "not a mountinfo line")
		}
		mounts = append(mounts, m)
		return nil
	})
	return mounts, err
}

// ParseMountInfoLine reads one mountinfo line:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
func ParseMountInfoLine(line string) (Mount, bool) {
	var m Mount
	f := strings.Fields(line)
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	if len(f) < 7 || sep < 0 || len(f) < sep+3 {
		return m, false
	}
	var err1, err2, err3, err4 error
	m.ID, err1 = strconv.Atoi(f[0])
	m.ParentID, err2 = strconv.Atoi(f[1])
	maj, min, ok := strings.Cut(f[2], ":")
	m.Major, err3 = strconv.Atoi(maj)
	m.Minor, err4 = strconv.Atoi(min)
	if !ok || err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return m, false
	}
	m.Root, m.MountPoint, m.Options = Unescape(f[3]), Unescape(f[4]), f[5]
	if sep > 6 {
		m.Optional = f[6:sep]
	}
	m.FSType, m.Source = Unescape(f[sep+1]), Unescape(f[sep+2])
	if len(f) > sep+3 {
		m.SuperOptions = f[sep+3]
	}
	return m, true
}

// Unescape decodes the octal escapes (\040) of a mountinfo field.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// Option returns the value of a comma-separated mount option ("hidepid"
// in "rw,hidepid=invisible") and whether it is there.
func Option(options, name string) (string, bool) {
	for o := range strings.SplitSeq(options, ",") {
		k, v, _ := strings.Cut(o, "=")
		if k == name {
			return v, true
		}
	}
	return "", false
}

// HidePID tells how procfs at ProcPath() hides other users' processes
// (HidePIDOf with the reading process's mount table).
func (fsys FS) HidePID() (string, error) {
	mounts, err := fsys.Mounts()
	if err != nil {
		return "", err
	}
	return HidePIDOf(mounts, fsys.ProcPath()), nil
}

// HidePIDOf tells how the procfs mounted at mountPoint hides other
// users' processes, from its hidepid mount option: "" (not at all:
// hidepid=0 or off, or not given), "noaccess" (hidepid=1: listed, but
// their files cannot be read), "invisible" (hidepid=2: not listed at
// all) or "ptraceable" (hidepid=4: only those the reader may ptrace are
// listed). Of several procfs mounted there, the last counts. Root sees
// every process whatever the option.
func HidePIDOf(mounts []Mount, mountPoint string) string {
	hide := ""
	for _, m := range mounts {
		if m.FSType != "proc" || m.MountPoint != mountPoint {
			continue
		}
		v, _ := Option(m.SuperOptions, "hidepid")
		switch v {
		case "1", "noaccess":
			hide = "noaccess"
		case "2", "invisible":
			hide = "invisible"
		case "4", "ptraceable":
			hide = "ptraceable"
		default:
			hide = ""
		}
	}
	return hide
}
