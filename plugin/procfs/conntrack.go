package procfs

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrNoConntrack is returned by Conntrack when the kernel has no
// connection tracking: the nf_conntrack module is not loaded (it loads
// with the first iptables/nftables rule that uses it), or the network
// namespace does not show it.
var ErrNoConntrack = errors.New("no connection tracking table: the nf_conntrack module is not loaded")

// Conntrack is the size of the connection tracking table.
type Conntrack struct {
	Count, Max         uint64 // entries in use, and the most there may be
	CountPath, MaxPath string // where they were read
}

// Conntrack reads the connection tracking table's size from the first
// of its files that exists, newer kernels' names first:
// /proc/sys/net/netfilter/nf_conntrack_count (or the older
// /proc/sys/net/ipv4/netfilter/ip_conntrack_count), and for the maximum
// /proc/sys/net/nf_conntrack_max, …/netfilter/nf_conntrack_max,
// …/ipv4/ip_conntrack_max or …/ipv4/netfilter/ip_conntrack_max. When
// none of the count files exists the error is ErrNoConntrack (wrapped,
// naming the paths tried).
func (fsys FS) Conntrack() (Conntrack, error) {
	var c Conntrack
	var err error
	countPaths := []string{"netfilter/nf_conntrack_count", "ipv4/netfilter/ip_conntrack_count"}
	maxPaths := []string{"nf_conntrack_max", "netfilter/nf_conntrack_max", "ipv4/ip_conntrack_max", "ipv4/netfilter/ip_conntrack_max"}
	if c.Count, c.CountPath, err = fsys.firstUint(countPaths); err != nil {
		return c, err
	}
	if c.Max, c.MaxPath, err = fsys.firstUint(maxPaths); err != nil {
		if errors.Is(err, ErrNoConntrack) {
			return c, fmt.Errorf("%s exists but no conntrack maximum: %w", c.CountPath, err)
		}
		return c, err
	}
	return c, nil
}

func (fsys FS) firstUint(names []string) (uint64, string, error) {
	var tried []string
	for _, name := range names {
		path := fsys.ProcPath("sys", "net", name)
		v, err := readUint(path)
		if errors.Is(err, fs.ErrNotExist) {
			tried = append(tried, path)
			continue
		}
		return v, path, err
	}
	return 0, "", fmt.Errorf("%w (none of %v exists)", ErrNoConntrack, tried)
}
