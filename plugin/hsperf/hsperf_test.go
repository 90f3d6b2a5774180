package hsperf_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/hsperf"
)

var sample = []hsperf.Counter{
	{Name: "sun.os.hrt.frequency", Units: hsperf.UnitHertz, Int: 1_000_000_000},
	{Name: "sun.gc.collector.0.invocations", Units: hsperf.UnitEvents, Int: 7},
	{Name: "sun.gc.generation.1.space.0.used", Units: hsperf.UnitBytes, Int: -1 << 40},
	{Name: "sun.rt.javaCommand", Units: hsperf.UnitString, Str: "org.example.App --port 8080", IsString: true},
}

func TestParseBothByteOrders(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		d, err := hsperf.Parse(hsperf.Encode(sample, order))
		require.NoError(t, err, order)
		assert.True(t, d.Accessible)
		v, ok := d.Int("sun.gc.collector.0.invocations")
		assert.True(t, ok)
		assert.EqualValues(t, 7, v)
		v, _ = d.Int("sun.gc.generation.1.space.0.used")
		assert.EqualValues(t, -1<<40, v)
		assert.Equal(t, "App", d.MainClass())
		_, ok = d.Int("sun.rt.javaCommand")
		assert.False(t, ok, "a string is not an integer")
		_, ok = d.String("no.such")
		assert.False(t, ok)
	}
}

func TestParseRejectsDamage(t *testing.T) {
	good := hsperf.Encode(sample, binary.LittleEndian)
	_, err := hsperf.Parse([]byte("PK\x03\x04 a zip file, not perfdata at all"))
	assert.ErrorIs(t, err, hsperf.ErrNotPerfData)
	_, err = hsperf.Parse(good[:10])
	assert.ErrorContains(t, err, "shorter than")
	// Every truncation is an error or a shorter result, never a panic.
	for n := 0; n < len(good); n++ {
		b := append([]byte(nil), good[:n]...)
		if len(b) >= 12 {
			binary.LittleEndian.PutUint32(b[8:], 0) // used: 0, so the whole slice counts
		}
		hsperf.Parse(b)
	}
	bad := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(bad[28:], 1000) // more entries than the file holds
	_, err = hsperf.Parse(bad)
	assert.ErrorContains(t, err, "outside")
	bad = append([]byte(nil), good...)
	bad[5] = 1
	_, err = hsperf.Parse(bad)
	assert.ErrorContains(t, err, "version 1")
}

func FuzzParse(f *testing.F) {
	f.Add(hsperf.Encode(sample, binary.LittleEndian))
	f.Add(hsperf.Encode(sample, binary.BigEndian))
	f.Fuzz(func(t *testing.T, b []byte) { hsperf.Parse(b) })
}

func TestMainClassAsJpsShowsIt(t *testing.T) {
	for cmd, want := range map[string]string{
		"org.example.App arg":     "App",
		"/opt/app/server.jar -Dx": "server.jar",
		"server.jar":              "server.jar",
		"jdk.compiler/com.sun.tools.javac.launcher.Main Hello.java": "Main",
		"Hello": "Hello",
		"":      "Unknown",
	} {
		assert.Equal(t, want, hsperf.MainClass(cmd), cmd)
	}
}

func TestFilesAndFindPID(t *testing.T) {
	old := hsperf.Dir
	hsperf.Dir = t.TempDir()
	defer func() { hsperf.Dir = old }()
	dir := filepath.Join(hsperf.Dir, "hsperfdata_alice")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "4242"), hsperf.Encode(sample, binary.LittleEndian), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "not-a-pid"), nil, 0o600))
	files, err := hsperf.Files()
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, hsperf.File{Path: filepath.Join(dir, "4242"), User: "alice", PID: 4242}, files[0])
	f, err := hsperf.FindPID(4242)
	require.NoError(t, err)
	assert.Equal(t, files[0], f)
	_, err = hsperf.FindPID(4243)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Equal(t, filepath.Join(hsperf.Dir, "hsperfdata_alice", "4242"), hsperf.Path("alice", 4242))
}

// Read the counters jstat -gc shows as EU and YGCT.
func Example() {
	d, err := hsperf.Parse(hsperf.Encode([]hsperf.Counter{
		{Name: "sun.os.hrt.frequency", Int: 1_000_000_000},
		{Name: "sun.gc.collector.0.time", Int: 10_498_355},
		{Name: "sun.gc.generation.0.space.0.used", Int: 8 << 20},
	}, binary.LittleEndian)) // in real use: hsperf.ReadFile(hsperf.Path(user, pid))
	if err != nil {
		fmt.Println(err)
		return
	}
	freq, _ := d.Int("sun.os.hrt.frequency")
	ticks, _ := d.Int("sun.gc.collector.0.time")
	eden, _ := d.Int("sun.gc.generation.0.space.0.used")
	fmt.Printf("EU %.1f KiB, YGCT %.3f s\n", float64(eden)/1024, float64(ticks)/float64(freq))
	// Output: EU 8192.0 KiB, YGCT 0.010 s
}
