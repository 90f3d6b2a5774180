package metricsjvm

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin/hsperf"
)

func resolve(t *testing.T, counters []hsperf.Counter) map[string]float64 {
	d, err := hsperf.Parse(hsperf.Encode(counters, binary.BigEndian))
	require.NoError(t, err)
	b := metrics.NewBatch()
	require.NoError(t, record(d, "app", b))
	require.NoError(t, b.Err())
	values, _, _ := b.Resolve(metrics.Memory{}, time.Now(), metrics.Rates{})
	out := map[string]float64{}
	for _, v := range values {
		out[v.Name] = v.Value
	}
	return out
}

// A Java 7 JVM (parallel collector, permanent generation): perm_space
// is printed, metaspace and CGC are not (jstat shows no such columns).
func TestJava7PermanentGeneration(t *testing.T) {
	v := resolve(t, []hsperf.Counter{
		{Name: "sun.os.hrt.frequency", Int: 1_000_000},
		{Name: "sun.gc.collector.0.invocations", Int: 3},
		{Name: "sun.gc.collector.1.invocations", Int: 1},
		{Name: "sun.gc.generation.2.name", Str: "perm", IsString: true},
		{Name: "sun.gc.generation.2.maxCapacity", Int: 85983232},
		{Name: "sun.gc.generation.2.capacity", Int: 21757952},
		{Name: "sun.gc.generation.2.space.0.used", Int: 9000000},
		{Name: "sun.gc.generation.1.space.0.used", Int: 0},
		{Name: "sun.gc.generation.1.space.0.capacity", Int: 0},
	})
	assert.Equal(t, map[string]float64{
		"app.perm_space.PGCMX": 85983232, "app.perm_space.PGC": 21757952, "app.perm_space.PU": 9000000, "app.old_space.OU": 0,
	}, v, "counters need a second run; an empty old space has no oldSpaceRate")
}

func TestNoFrequencyIsNotHotSpot(t *testing.T) {
	d, err := hsperf.Parse(hsperf.Encode([]hsperf.Counter{{Name: "x", Int: 1}}, binary.LittleEndian))
	require.NoError(t, err)
	assert.ErrorContains(t, record(d, "app", metrics.NewBatch()), "sun.os.hrt.frequency")
}

func TestCMSFraction(t *testing.T) {
	d, err := hsperf.Parse(hsperf.Encode([]hsperf.Counter{
		{Name: "sun.os.hrt.frequency", Int: 1_000_000},
		{Name: "sun.rt.vmFlags", Str: "-XX:+UseConcMarkSweepGC -XX:CMSInitiatingOccupancyFraction=60", IsString: true},
		{Name: "java.rt.vmArgs", Str: "-Xmx1g -XX:CMSInitiatingOccupancyFraction=75", IsString: true},
	}, binary.LittleEndian))
	require.NoError(t, err)
	f, ok := cmsFraction(d)
	assert.True(t, ok)
	assert.Equal(t, 75.0, f, "the last one given wins")
	d.Counters["sun.rt.vmFlags"] = hsperf.Counter{Str: "-XX:+UseG1GC", IsString: true}
	d.Counters["java.rt.vmArgs"] = hsperf.Counter{Str: "-XX:CMSInitiatingOccupancyFraction=75", IsString: true}
	_, ok = cmsFraction(d)
	assert.False(t, ok, "not CMS: no value")
}

func TestMainClassOf(t *testing.T) {
	for want, args := range map[string][]string{
		"App":        {"java", "-Xmx1g", "-cp", "a.jar:b", "org.example.App", "x"},
		"server.jar": {"/usr/bin/java", "-XX:+PerfDisableSharedMem", "-jar", "/opt/server.jar"},
		"Main":       {"java", "-XX:+PerfDisableSharedMem", "Hello.java"},
		"Tool":       {"java", "-m", "my.module/org.example.Tool"},
		"":           {"java", "-version"},
	} {
		assert.Equal(t, want, mainClassOf(args), "%q", args)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, o := range []options{
		{},
		{JavaName: "x", Remote: "host:1099"},
		{JavaName: "x", Port: 1099},
		{JavaName: "my app"},
	} {
		assert.Error(t, o.Validate(), "%+v", o)
	}
	assert.NoError(t, (&options{JavaName: "my app", MetricKey: "myapp"}).Validate())
	assert.NoError(t, (&options{JavaName: "server.jar"}).Validate(), "jvm.server.jar.…, as the original names it")
}
