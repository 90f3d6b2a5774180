package metricsjvm

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin/hsperf"
)

func jstatColumns(t *testing.T, path string) map[string]float64 {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	names, values := strings.Fields(lines[0]), strings.Fields(lines[1])
	out := map[string]float64{}
	for i, n := range names {
		v, err := strconv.ParseFloat(values[i], 64)
		require.NoError(t, err)
		out[n] = v
	}
	return out
}

// A real JDK 17 file, read as the plugin reads it, gives what jstat
// showed at the same moment (testdata/README.md).
func TestRealFileMatchesJstat(t *testing.T) {
	d, err := hsperf.ReadFile("testdata/jdk17-g1.hsperfdata")
	require.NoError(t, err)
	assert.Equal(t, "Hello", d.MainClass())
	gc := jstatColumns(t, "testdata/jdk17-g1.jstat-gc.txt")
	capacity := jstatColumns(t, "testdata/jdk17-g1.jstat-gccapacity.txt")

	b := metrics.NewBatch()
	require.NoError(t, record(d, "hello", b))
	require.NoError(t, b.Err())
	values, memory, _ := b.Resolve(metrics.Memory{}, time.Unix(0, 0), metrics.Rates{})
	got := map[string]float64{}
	for _, v := range values {
		got[v.Name] = v.Value
	}
	for name, want := range map[string]float64{
		"new_space.EU": gc["EU"], "new_space.S0U": gc["S0U"], "new_space.S1U": gc["S1U"], "old_space.OU": gc["OU"],
		"metaspace.MC": gc["MC"], "metaspace.MU": gc["MU"], "metaspace.CCSC": gc["CCSC"], "metaspace.CCSU": gc["CCSU"],
		"new_space.NGCMX": capacity["NGCMX"], "new_space.NGC": capacity["NGC"], "old_space.OGCMX": capacity["OGCMX"],
		"old_space.OGC": capacity["OGC"], "metaspace.MCMN": capacity["MCMN"], "metaspace.MCMX": capacity["MCMX"],
	} {
		v, ok := got["hello."+name]
		if assert.True(t, ok, name) {
			assert.InDelta(t, want, v/1024, 0.051, "%s: jstat shows KiB with one decimal", name)
		}
	}
	assert.InDelta(t, 100*gc["OU"]/gc["OC"], got["hello.memorySpace.oldSpaceRate"], 0.01)
	// The counters' totals, as jstat shows them (the rates need a second run).
	for events, col := range map[string]string{"YGC": "YGC", "FGC": "FGC", "CGC": "CGC"} {
		assert.EqualValues(t, gc[col], memory.Counters["hello.gc_events."+events].Value, events)
	}
	freq, _ := d.Int("sun.os.hrt.frequency")
	for _, col := range []string{"YGCT", "FGCT", "CGCT"} {
		ticks := float64(memory.Counters["hello.gc_time."+col].Value)
		assert.InDelta(t, gc[col], math.Round(ticks/float64(freq)*1000)/1000, 0.0005, col)
	}
	assert.EqualValues(t, 1, gc["FGC"], "the file was taken after one full GC")
}
