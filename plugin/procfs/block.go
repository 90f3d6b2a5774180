package procfs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DiskStat is the I/O statistics of a block device, as
// /sys/block/DEV/stat and /proc/diskstats give them
// (Documentation/block/stat.rst). Times are milliseconds; sectors are
// 512 bytes whatever the device's sector size.
type DiskStat struct {
	ReadIOs, ReadMerges, ReadSectors, ReadTicks             uint64
	WriteIOs, WriteMerges, WriteSectors, WriteTicks         uint64
	InFlight, IOTicks, TimeInQueue                          uint64
	DiscardIOs, DiscardMerges, DiscardSectors, DiscardTicks uint64 // Linux 4.18 and later
	FlushIOs, FlushTicks                                    uint64 // Linux 5.5 and later
	// Fields is how many values the kernel gave: 11 before 4.18, 15
	// before 5.5, 17 since; fields it did not give are 0. Partitions of
	// kernels before 2.6.25 have 4 in /proc/diskstats: reads, sectors
	// read, writes, sectors written.
	Fields int
}

// ParseDiskStat reads the values of a /sys/block/DEV/stat file, or of a
// /proc/diskstats line after its major, minor and name.
func ParseDiskStat(fields [][]byte) (DiskStat, error) {
	var d DiskStat
	vals := make([]uint64, len(fields))
	for i, f := range fields {
		v, ok := parseUint(f)
		if !ok {
			return d, fmt.Errorf("field %d, %q, is not a number", i+1, f)
		}
		vals[i] = v
	}
	d.Fields = len(vals)
	if len(vals) == 4 { // an old kernel's partition
		d.ReadIOs, d.ReadSectors, d.WriteIOs, d.WriteSectors = vals[0], vals[1], vals[2], vals[3]
		return d, nil
	}
	if len(vals) < 11 {
		return d, fmt.Errorf("%d fields: want 11, 15 or 17", len(vals))
	}
	dst := []*uint64{&d.ReadIOs, &d.ReadMerges, &d.ReadSectors, &d.ReadTicks,
		&d.WriteIOs, &d.WriteMerges, &d.WriteSectors, &d.WriteTicks,
		&d.InFlight, &d.IOTicks, &d.TimeInQueue,
		&d.DiscardIOs, &d.DiscardMerges, &d.DiscardSectors, &d.DiscardTicks,
		&d.FlushIOs, &d.FlushTicks}
	for i, v := range vals {
		if i < len(dst) {
			*dst[i] = v
		}
	}
	return d, nil
}

// BlockDevice is a block device listed in /sys/block.
type BlockDevice struct {
	Name string // sda, nvme0n1, dm-0, loop0, …
	// Virtual is a device without hardware under it (loop, ram, zram,
	// dm, md: its sysfs directory is under /devices/virtual/).
	Virtual bool
	// Removable is a device whose medium can be taken out (a CD drive, a
	// card reader), from /sys/block/DEV/removable.
	Removable bool
	Stat      DiskStat
}

// Physical reports whether d is one of the devices mackerel-plugin-linux
// graphs: not removable, and not virtual unless it is a FusionIO ioDrive
// (fio…), whose driver registers it as virtual.
func (d BlockDevice) Physical() bool {
	if d.Removable {
		return false
	}
	return !d.Virtual || isFusionIO(d.Name)
}

func isFusionIO(name string) bool {
	rest, ok := strings.CutPrefix(name, "fio")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// BlockDevices lists /sys/block with each device's statistics, in the
// order of the directory (sorted by name). A device that vanishes while
// it is read is left out.
func (fs FS) BlockDevices() ([]BlockDevice, error) {
	dir := fs.SysPath("block")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var devs []BlockDevice
	for _, e := range entries {
		name := e.Name()
		link := filepath.Join(dir, name)
		target, err := os.Readlink(link)
		if err != nil {
			target = "" // very old kernels: real directories
		}
		d := BlockDevice{Name: name, Virtual: strings.Contains(filepath.ToSlash(target)+"/", "/devices/virtual/")}
		rm, err := readFile(filepath.Join(link, "removable"))
		if os.IsNotExist(err) {
			continue // gone
		}
		if err != nil {
			return nil, err
		}
		d.Removable = bytes.HasPrefix(bytes.TrimSpace(rm), []byte("1"))
		statPath := filepath.Join(link, "stat")
		b, err := readFile(statPath)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if d.Stat, err = ParseDiskStat(bytes.Fields(b)); err != nil {
			return nil, fmt.Errorf("%s: %v", statPath, err)
		}
		devs = append(devs, d)
	}
	return devs, nil
}

// DiskStatsLine is one line of /proc/diskstats.
type DiskStatsLine struct {
	Major, Minor uint64
	Name         string
	DiskStat
}

// DiskStats reads /proc/diskstats: every block device and partition.
func (fs FS) DiskStats() ([]DiskStatsLine, error) {
	path := fs.ProcPath("diskstats")
	var lines []DiskStatsLine
	err := eachLine(path, func(line []byte, n int) error {
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			return nil
		}
		if len(fields) < 7 {
			return parseError(path, n, "%d fields: too few", len(fields))
		}
		var l DiskStatsLine
		var ok1, ok2 bool
		l.Major, ok1 = parseUint(fields[0])
		l.Minor, ok2 = parseUint(fields[1])
		if !ok1 || !ok2 {
			return parseError(path, n, "no major and minor numbers")
		}
		l.Name = string(fields[2])
		var err error
		if l.DiskStat, err = ParseDiskStat(fields[3:]); err != nil {
			return parseError(path, n, "%v", err)
		}
		lines = append(lines, l)
		return nil
	})
	return lines, err
}
