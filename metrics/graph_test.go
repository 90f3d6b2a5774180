package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitValid(t *testing.T) {
	for _, u := range []Unit{Float, Integer, Percentage, Seconds, Milliseconds, Bytes, BytesPerSec, BitsPerSec, IOPS} {
		assert.True(t, u.Valid(), u)
	}
	for _, u := range []Unit{"", "Bytes", "bytes/s", "percent", "count"} {
		assert.False(t, u.Valid(), u)
	}
}

func TestGraphsValidate(t *testing.T) {
	one := []Metric{{Name: "x", Label: "X"}}
	assert.NoError(t, Graphs{
		"disk.#": {Label: "Disk", Unit: BytesPerSec, Metrics: []Metric{{Name: "read", Label: "read"}, {Name: "write", Label: "write", Stacked: true}}},
		"files":  {Label: "Files", Unit: Bytes, Metrics: []Metric{{Name: "*", Label: "size"}}},
	}.Validate())
	for want, g := range map[string]Graphs{
		`graph "a b": name "a b": character ' ' is not allowed`:            {"a b": {Label: "L", Unit: Float, Metrics: one}},
		`graph "a.": name "a." has an empty segment`:                       {"a.": {Label: "L", Unit: Float, Metrics: one}},
		`graph "g": unit "count" is not one the service accepts`:           {"g": {Label: "L", Unit: "count", Metrics: one}},
		`graph "g": unit "" is not one the service accepts`:                {"g": {Label: "L", Metrics: one}},
		`graph "g": empty label`:                                           {"g": {Unit: Float, Metrics: one}},
		`graph "g": no metrics`:                                            {"g": {Label: "L", Unit: Float}},
		`graph "g" metric "x/y": name "x/y": character '/' is not allowed`: {"g": {Label: "L", Unit: Float, Metrics: []Metric{{Name: "x/y"}}}},
		`graph "g" metric "": empty name`:                                  {"g": {Label: "L", Unit: Float, Metrics: []Metric{{}}}},
		`graph "g": metric "x" defined twice`:                              {"g": {Label: "L", Unit: Float, Metrics: []Metric{{Name: "x"}, {Name: "x"}}}},
		`graph "a": empty label`:                                           {"b": {Unit: Float, Metrics: one}, "a": {Unit: Float, Metrics: one}},
	} {
		err := g.Validate()
		if assert.Error(t, err, want) {
			assert.True(t, strings.HasPrefix(err.Error(), want), "got %q, want it to start with %q", err, want)
		}
	}
}

func TestGraphsCovers(t *testing.T) {
	g := Graphs{
		"requests": {Label: "R", Unit: Float, Metrics: []Metric{{Name: "requests"}, {Name: "accepts"}}},
		"disk.#":   {Label: "D", Unit: Bytes, Metrics: []Metric{{Name: "read"}}},
		"files":    {Label: "F", Unit: Bytes, Metrics: []Metric{{Name: "*"}}},
	}
	for name, want := range map[string]bool{
		"nginx.requests.requests": true,
		"nginx.requests.accepts":  true,
		"nginx.disk.sda.read":     true,
		"nginx.files.app_log":     true,
		"nginx.requests.handled":  false,
		"nginx.disk.sda.write":    false,
		"nginx.disk.read":         false, // a wildcard is exactly one segment
		"nginx.disk.a.b.read":     false,
		"nginx.files.a.b":         false,
		"other.requests.requests": false,
		"requests.requests":       false,
	} {
		assert.Equal(t, want, g.Covers("nginx", name), name)
	}
	assert.True(t, g.Covers("", "requests.requests"))
}

func TestWriteMeta(t *testing.T) {
	g := Graphs{
		"requests": {Label: "Requests & errors", Unit: Float, Metrics: []Metric{{Name: "requests", Label: "<all>"}, {Name: "errors", Label: "Errors", Stacked: true}}},
		"disk.#":   {Label: "Disk", Unit: BytesPerSec, Metrics: []Metric{{Name: "read", Label: "Read"}}},
	}
	var out bytes.Buffer
	require.NoError(t, WriteMeta(&out, "web1.nginx", g))
	assert.Equal(t, `# mackerel-agent-plugin
{"graphs":{"web1.nginx.disk.#":{"label":"Disk","unit":"bytes/sec","metrics":[{"name":"read","label":"Read","stacked":false}]},"web1.nginx.requests":{"label":"Requests & errors","unit":"float","metrics":[{"name":"requests","label":"<all>","stacked":false},{"name":"errors","label":"Errors","stacked":true}]}}}
`, out.String())

	for range 20 { // map order varies from one iteration to the next; the output does not
		var again bytes.Buffer
		require.NoError(t, WriteMeta(&again, "web1.nginx", g))
		require.Equal(t, out.String(), again.String())
	}

	var meta struct {
		Graphs Graphs `json:"graphs"`
	}
	_, js, _ := strings.Cut(out.String(), "\n")
	require.NoError(t, json.Unmarshal([]byte(js), &meta))
	assert.Equal(t, g["requests"], meta.Graphs["web1.nginx.requests"], "the JSON reads back to the definitions")
}

func TestWriteMetaPrintsNothingWhenInvalid(t *testing.T) {
	var out bytes.Buffer
	assert.ErrorContains(t, WriteMeta(&out, "p", Graphs{"g": {Label: "G", Unit: "count", Metrics: []Metric{{Name: "x"}}}}), `unit "count"`)
	assert.ErrorContains(t, WriteMeta(&out, "bad prefix", Graphs{"g": {Label: "G", Unit: Float, Metrics: []Metric{{Name: "x"}}}}), "metric key prefix")
	assert.Empty(t, out.String())
}
