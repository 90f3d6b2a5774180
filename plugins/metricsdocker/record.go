package metricsdocker

import (
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// The block I/O operations the graphs draw; cgroup v1 names them "Read",
// "Write", "Sync", "Async" (and "Total", "Discard"), cgroup v2 "read" and
// "write" only.
var blkioOps = []string{"read", "write", "sync", "async"}

// blkioSums adds up the entries of each operation over all devices. An
// operation with no entry is absent (cgroup v2 has no sync or async), so
// it is not printed as a made-up 0.
func blkioSums(entries []blkioEntry) map[string]uint64 {
	var sums map[string]uint64
	for _, e := range entries {
		op := strings.ToLower(e.Op)
		for _, want := range blkioOps {
			if op == want {
				if sums == nil {
					sums = map[string]uint64{}
				}
				sums[op] += e.Value
			}
		}
	}
	return sums
}

// memory returns the RSS and page cache of a container: total_rss and
// total_cache on cgroup v1, anon and file on cgroup v2. ok is false when
// the engine gives neither (Windows containers).
func memory(s *stats) (rss, cache uint64, ok bool) {
	m := s.MemoryStats.Stats
	if v, found := m["total_rss"]; found {
		return v, m["total_cache"], true
	}
	if v, found := m["anon"]; found {
		return v, m["file"], true
	}
	return 0, 0, false
}

// onlineCPUs is how many CPUs the container could use, as docker stats
// counts them: online_cpus, else the length of the per-CPU usage list
// (engines before API 1.27). Zero means unknown.
func onlineCPUs(s *stats) uint64 {
	if n := s.CPUStats.OnlineCPUs; n > 0 {
		return uint64(n)
	}
	return uint64(len(s.CPUStats.CPUUsage.PercpuUsage))
}

// sample is what the plugin keeps of a container for its next run, in
// its own part of the state file: the CPU times for the percentage, and
// the block I/O operation counts, drawn per second (the runtime's
// counters are per minute).
type sample struct {
	Time     int64             `json:"t"` // the run's clock, Unix nanoseconds
	User     uint64            `json:"user"`
	System   uint64            `json:"system"`
	Host     uint64            `json:"host"`
	Serviced map[string]uint64 `json:"serviced,omitempty"`
}

// remembered is the plugin's own state: a sample per container ID.
type remembered struct {
	Containers map[string]sample `json:"containers"`
}

// How old a previous sample may be: the original's five minutes for the
// CPU percentage; the runtime's limit for the per-second I/O rates.
const (
	percentMaxAge = 5 * time.Minute
	ratesMaxAge   = metrics.DefaultMaxAge
)

// record puts every container's values into b. The previous samples of
// the containers in unread (running, but not read this run) are kept for
// the next run.
func (o *options) record(inv *plugin.Invocation, b *metrics.Batch, got []*target, unread []string) {
	var prev remembered
	st, err := inv.State()
	if err == nil {
		_, err = st.Load(&prev)
	}
	if err != nil {
		inv.Warnf("CPU percentages and I/O operation rates left out: %v", err)
		st = nil
	}
	next := remembered{Containers: map[string]sample{}}
	for _, id := range unread {
		if old, ok := prev.Containers[id]; ok {
			next.Containers[id] = old
		}
	}
	now := inv.Now()
	for _, t := range got {
		s, n := t.stats, t.name
		if rss, cache, ok := memory(s); ok {
			b.Gauge("memory."+n+".rss", float64(rss))
			b.Gauge("memory."+n+".cache", float64(cache))
		}
		var counters []string
		for op, v := range blkioSums(s.BlkioStats.IOQueueRecursive) {
			b.Gauge("blkio.io_queued."+n+"."+op, float64(v))
		}
		for op, v := range blkioSums(s.BlkioStats.IOServiceBytesRecursive) {
			name := "blkio.io_service_bytes." + n + "." + op
			b.Counter(name, v)
			counters = append(counters, name)
		}
		if o.CPUFormat == "usage" {
			user, system := "cpuacct."+n+".user", "cpuacct."+n+".system"
			b.Counter(user, s.CPUStats.CPUUsage.UsageInUsermode)
			b.Counter(system, s.CPUStats.CPUUsage.UsageInKernelmode)
			counters = append(counters, user, system)
		}
		b.Together(counters...) // a restarted container starts them all again

		cur := sample{
			Time:     now.UnixNano(),
			User:     s.CPUStats.CPUUsage.UsageInUsermode,
			System:   s.CPUStats.CPUUsage.UsageInKernelmode,
			Host:     s.CPUStats.SystemCPUUsage,
			Serviced: blkioSums(s.BlkioStats.IOServicedRecursive),
		}
		old, found := prev.Containers[t.c.ID]
		next.Containers[t.c.ID] = cur
		if !found || st == nil {
			continue
		}
		elapsed := time.Duration(cur.Time - old.Time)
		switch {
		case elapsed < 0:
			continue // the clock went back: a first run
		case elapsed < time.Second:
			next.Containers[t.c.ID] = old // measure over a longer span next time
			continue
		}
		if restarted(old, cur) {
			// Counting again from zero: a rate over the restart would be
			// wrong, even for a count already past its old value.
			inv.Warnf("container %s: CPU percentage and I/O operation rates left out: its counts went down (the container restarted)", t.name)
			continue
		}
		if o.CPUFormat == "percentage" {
			o.percent(inv, b, t, old, cur, elapsed)
		}
		o.serviced(inv, b, t, old, cur, elapsed)
	}
	if st != nil {
		if err := st.Save(next); err != nil {
			inv.Warnf("state not saved: %v", err)
		}
	}
}

// restarted reports whether any of the container's counts went down
// since the previous sample.
func restarted(old, cur sample) bool {
	if cur.User < old.User || cur.System < old.System {
		return true
	}
	for op, v := range cur.Serviced {
		if w, ok := old.Serviced[op]; ok && v < w {
			return true
		}
	}
	return false
}

// percent records the container's CPU use since the previous run as a
// percentage of one CPU, as docker stats computes it: its CPU time over
// the host's, times the number of CPUs.
func (o *options) percent(inv *plugin.Invocation, b *metrics.Batch, t *target, old, cur sample, elapsed time.Duration) {
	ncpu := onlineCPUs(t.stats)
	switch {
	case elapsed > percentMaxAge:
		inv.Warnf("container %s: CPU percentage left out: the previous run is %s old (over %s)", t.name, elapsed.Round(time.Second), percentMaxAge)
		return
	case cur.Host <= old.Host:
		inv.Warnf("container %s: CPU percentage left out: the host's CPU time did not grow since the previous run", t.name)
		return
	case ncpu == 0:
		inv.Warnf("container %s: CPU percentage left out: the engine gives no CPU count", t.name)
		return
	}
	host := float64(cur.Host - old.Host)
	scale := float64(ncpu) * 100
	b.Gauge("cpuacct_percentage."+t.name+".user", float64(cur.User-old.User)/host*scale)
	b.Gauge("cpuacct_percentage."+t.name+".system", float64(cur.System-old.System)/host*scale)
}

// serviced records the block I/O operations per second since the
// previous run (the original's iops graph: a per-minute rate / 60).
func (o *options) serviced(inv *plugin.Invocation, b *metrics.Batch, t *target, old, cur sample, elapsed time.Duration) {
	if len(cur.Serviced) == 0 || len(old.Serviced) == 0 {
		return
	}
	if elapsed > ratesMaxAge {
		inv.Warnf("container %s: I/O operation rates left out: the previous run is %s old (over %s)", t.name, elapsed.Round(time.Second), ratesMaxAge)
		return
	}
	for op, v := range cur.Serviced {
		if w, ok := old.Serviced[op]; ok {
			b.Gauge("blkio.io_serviced."+t.name+"."+op, float64(v-w)/elapsed.Seconds())
		}
	}
}
