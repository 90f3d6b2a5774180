package metricsmemcached

import "testing"

func TestMicros(t *testing.T) {
	for in, want := range map[string]uint64{"0.000000": 0, "1.5": 1_500_000, "12.345678": 12_345_678, "3": 3_000_000} {
		if got, ok := micros(in); !ok || got != want {
			t.Errorf("micros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "1.1234567", "-1.0", "1.x"} {
		if _, ok := micros(bad); ok {
			t.Errorf("micros(%q) accepted", bad)
		}
	}
}
