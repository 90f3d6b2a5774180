package mounts

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Mount is one line of /proc/self/mountinfo.
type Mount struct {
	ID, Parent   int    // mount IDs
	Major, Minor uint32 // the device (st_dev) of the file system
	// Root is the directory of the file system that is mounted: "/" for
	// a whole file system, a subdirectory for a bind mount of one.
	Root string
	// Point is the mount point, decoded.
	Point string
	// Options are the mount's own options (rw, ro, nosuid, bind, …).
	Options []string
	// Type is the file system type, e.g. "ext4", "tmpfs",
	// "fuse.sshfs".
	Type string
	// Source is the mounted device or its name ("/dev/sda1", "tmpfs",
	// "server:/export"), decoded.
	Source string
	// SuperOptions are the file system's options.
	SuperOptions []string
}

// Device returns the mount's device number as "major:minor".
func (m Mount) Device() string { return fmt.Sprintf("%d:%d", m.Major, m.Minor) }

// ReadOnly reports whether the mount or its file system is read-only.
func (m Mount) ReadOnly() bool {
	return slices.Contains(m.Options, "ro") || slices.Contains(m.SuperOptions, "ro")
}

// Bind reports whether the mount shows a subdirectory of its file system
// (a bind mount of a directory) or was mounted with the bind option.
func (m Mount) Bind() bool {
	return m.Root != "/" || slices.Contains(m.Options, "bind")
}

// Read returns the mount table of the calling process, read from
// root/proc/self/mountinfo; an empty root means "/". Tests give a
// directory of fixture files. (Stat asks the mount points as they are
// written in the table, so a table read from elsewhere describes mounts
// Stat cannot reach from here.)
func Read(root string) ([]Mount, error) {
	if !Supported {
		return nil, ErrUnsupported
	}
	if root == "" {
		root = "/"
	}
	path := filepath.Join(root, "proc", "self", "mountinfo")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mount table: %w", err)
	}
	defer f.Close()
	ms, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("mount table %s: %w", path, err)
	}
	return ms, nil
}

// Parse reads mountinfo text (proc(5)), one mount per line:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//
// A line that does not have that shape is an error naming its number:
// a table read wrong would make a check silently skip file systems.
func Parse(r io.Reader) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		m, err := parseLine(string(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseLine(line string) (Mount, error) {
	f := strings.Fields(line)
	sep := slices.Index(f, "-")
	if sep < 6 || len(f) < sep+3 {
		return Mount{}, fmt.Errorf("want \"ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPEROPTIONS\", got %q", line)
	}
	var m Mount
	var err error
	if m.ID, err = strconv.Atoi(f[0]); err != nil {
		return Mount{}, fmt.Errorf("mount ID %q is not a number", f[0])
	}
	if m.Parent, err = strconv.Atoi(f[1]); err != nil {
		return Mount{}, fmt.Errorf("parent ID %q is not a number", f[1])
	}
	maj, min, ok := strings.Cut(f[2], ":")
	ma, err1 := strconv.ParseUint(maj, 10, 32)
	mi, err2 := strconv.ParseUint(min, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return Mount{}, fmt.Errorf("device %q is not MAJOR:MINOR", f[2])
	}
	m.Major, m.Minor = uint32(ma), uint32(mi)
	m.Root = Unescape(f[3])
	m.Point = Unescape(f[4])
	m.Options = strings.Split(f[5], ",")
	m.Type = Unescape(f[sep+1])
	m.Source = Unescape(f[sep+2])
	if len(f) > sep+3 {
		m.SuperOptions = strings.Split(f[sep+3], ",")
	}
	return m, nil
}

// Unescape decodes the octal escapes the kernel writes in mountinfo
// fields: "\040" (space), "\011" (tab), "\012" (newline), "\134"
// (backslash), and any other "\NNN". A backslash not followed by three
// octal digits is kept as it is.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			if s[i+1] <= '3' { // at most \377
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

// ExcludedTypes are the file system types a Filter leaves out unless
// told otherwise: kernel pseudo file systems with no space of their own,
// read-only images that are full by design, and container overlays. It
// joins node_exporter's default list and check-disk's built-in one.
var ExcludedTypes = []string{
	"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
	"debugfs", "devfs", "devpts", "devtmpfs", "efivarfs", "erofs",
	"fuse.gvfsd-fuse", "fuse.portal", "fuse.snapfuse", "fusectl", "hugetlbfs", "ignore",
	"iso9660", "kernfs", "mqueue", "nsfs", "overlay", "proc", "procfs",
	"pstore", "ramfs", "rpc_pipefs", "securityfs", "selinuxfs", "squashfs",
	"subfs", "sysfs", "tracefs",
}

// ExcludedPoints are the directories whose mounts (the directory itself
// and anything below it) a Filter leaves out unless told otherwise: the
// kernel's /proc and /sys, container engines' storage (each container's
// root and volumes, counted on the file system that holds them) and
// systemd's per-service credentials, as node_exporter leaves them out.
var ExcludedPoints = []string{"/proc", "/sys", "/run/credentials", "/var/lib/docker", "/var/lib/containers/storage"}

// Excluded reports whether m is left out by default, and why: a type in
// ExcludedTypes, a mount point in or under one of ExcludedPoints (but not
// the directory itself, for /var/lib/docker on its own disk), or the type
// "none" of a mount that is not a bind mount.
func Excluded(m Mount) (bool, string) {
	if ex, why := excludedType(m); ex {
		return ex, why
	}
	return excludedPoint(m)
}

func excludedType(m Mount) (bool, string) {
	if slices.Contains(ExcludedTypes, m.Type) {
		return true, "type " + m.Type + " is excluded by default"
	}
	if m.Type == "none" && !m.Bind() {
		return true, "type none (not a bind mount) is excluded by default"
	}
	return false, ""
}

func excludedPoint(m Mount) (bool, string) {
	for _, p := range ExcludedPoints {
		if strings.HasPrefix(m.Point, p+"/") || (m.Point == p && (p == "/proc" || p == "/sys")) {
			return true, "mounts under " + p + " are excluded by default"
		}
	}
	return false, ""
}

// Filter selects mounts. The zero value keeps every mount that Excluded
// does not leave out.
type Filter struct {
	// All keeps the default exclusions (Excluded) too.
	All bool
	// IncludeTypes, when not empty, keeps only mounts of these types;
	// a type named here is kept even if its type is excluded by default
	// (mounts under ExcludedPoints stay out).
	IncludeTypes []string
	// ExcludeTypes leaves out mounts of these types.
	ExcludeTypes []string
	// ExcludePoints leaves out these mount points.
	ExcludePoints []string
	// ExcludeReadOnly leaves out read-only mounts (ReadOnly), unless
	// their type is in IncludeTypes: nothing can fill them, or be freed
	// on them, through that mount, so a check of their free space can
	// only be a false alarm (All does not bring them back).
	ExcludeReadOnly bool
}

// Keep reports whether f keeps m.
func (f Filter) Keep(m Mount) bool {
	if len(f.IncludeTypes) > 0 && !slices.Contains(f.IncludeTypes, m.Type) {
		return false
	}
	if slices.Contains(f.ExcludeTypes, m.Type) || slices.Contains(f.ExcludePoints, m.Point) {
		return false
	}
	if f.ExcludeReadOnly && m.ReadOnly() && !slices.Contains(f.IncludeTypes, m.Type) {
		return false
	}
	if f.All {
		return true
	}
	if ex, _ := excludedType(m); ex && !slices.Contains(f.IncludeTypes, m.Type) {
		return false
	}
	ex, _ := excludedPoint(m)
	return !ex
}

// Apply returns the mounts f keeps, in order.
func (f Filter) Apply(ms []Mount) []Mount {
	var out []Mount
	for _, m := range ms {
		if f.Keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// Visible drops the mounts that statfs of their point cannot reach,
// keeping the table's order: a mount with a later mount on the same
// point (mounting over a mount point hides what was there; statfs sees
// only the top one), and a mount with a later mount on a directory above
// it (a disk mounted on /srv after /srv/www was hides /srv/www: statfs
// of /srv/www then asks the new file system, or fails). A mount that is
// in the other's chain of parent mounts is not hidden by it: a mount
// made on top of /srv hides nothing of what is in it. Mounts without
// IDs are judged by the table's order alone.
func Visible(ms []Mount) []Mount {
	byID := map[int]int{}
	for i, m := range ms {
		if m.ID != 0 {
			byID[m.ID] = i
		}
	}
	// inChain reports whether ms[a] is ms[b] or one of its parents.
	inChain := func(a, b int) bool {
		for steps := 0; steps <= len(ms); steps++ {
			if a == b {
				return true
			}
			p, ok := byID[ms[b].Parent]
			if !ok || ms[b].ID == 0 || p == b {
				return false
			}
			b = p
		}
		return false
	}
	at := map[string][]int{}
	for i, m := range ms {
		at[m.Point] = append(at[m.Point], i)
	}
	hidden := func(i int) bool {
		p := ms[i].Point
		for dir := p; ; {
			for _, k := range at[dir] {
				switch {
				case k == i:
				case dir == p && inChain(i, k):
					return true // stacked on top of i
				case k > i && !inChain(k, i) && !inChain(i, k):
					return true // mounted later, over i's point or above it
				}
			}
			if dir == "/" || dir == "" || !strings.HasPrefix(dir, "/") {
				return false
			}
			dir = filepath.Dir(dir)
		}
	}
	var out []Mount
	for i, m := range ms {
		if !hidden(i) {
			out = append(out, m)
		}
	}
	return out
}

// Unique keeps one mount per device: the same file system mounted twice,
// or bind-mounted, is counted once, under its first mount that shows the
// whole file system (Root "/"), else its first mount. Mounts with device
// 0:0 are kept.
func Unique(ms []Mount) []Mount {
	pick := map[[2]uint32]int{}
	for i, m := range ms {
		key := [2]uint32{m.Major, m.Minor}
		j, seen := pick[key]
		if !seen || (ms[j].Root != "/" && m.Root == "/") {
			pick[key] = i
		}
	}
	var out []Mount
	for i, m := range ms {
		if (m.Major == 0 && m.Minor == 0) || pick[[2]uint32{m.Major, m.Minor}] == i {
			out = append(out, m)
		}
	}
	return out
}
