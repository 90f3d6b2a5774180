// Package packaging_test tests the release scripts in this directory:
// the Debian version mapping and the .deb itself.
package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func needBash(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("the packaging scripts need bash")
	}
}

func debVersion(t *testing.T, v string) string {
	t.Helper()
	out, err := exec.Command("bash", "debversion.sh", v).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(string(out))
}

// debianVersion is Debian policy's syntax of an upstream version without
// an epoch or a revision.
var debianVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

func TestDebVersion(t *testing.T) {
	needBash(t)
	for in, want := range map[string]string{
		"v1.2.3":                      "1.2.3",
		"v1.2.3-4-gabc1234":           "1.2.3+git4.abc1234",
		"v1.2.3-dirty":                "1.2.3+dirty",
		"v2.0.0-rc1":                  "2.0.0~rc1",
		"v2.0.0-rc1-3-gdeadbee-dirty": "2.0.0~rc1+git3.deadbee.dirty",
		"abc1234":                     "0.0.0~gitabc1234",
		"1234567":                     "0.0.0~git1234567",
		"abc1234-dirty":               "0.0.0~gitabc1234+dirty",
		"devel":                       "0.0.0~devel",
		"release/x":                   "0.0.0~release.x",
	} {
		got := debVersion(t, in)
		assert.Equal(t, want, got, in)
		assert.Regexp(t, debianVersion, got, in)
	}
}

// TestDebVersionOrder checks with dpkg that the mapping sorts as the
// releases do.
func TestDebVersionOrder(t *testing.T) {
	needBash(t)
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed")
	}
	order := []string{"abc1234", "v1.0.0-rc1", "v1.0.0", "v1.0.0-2-gabc1234", "v1.0.1"}
	for i := 1; i < len(order); i++ {
		lo, hi := debVersion(t, order[i-1]), debVersion(t, order[i])
		assert.NoError(t, exec.Command("dpkg", "--compare-versions", lo, "lt", hi).Run(), "%s (%s) must sort before %s (%s)", lo, order[i-1], hi, order[i])
	}
}

// TestDeb builds the amd64 package and looks inside it with Debian's own
// tools: /usr/bin/teko, a symlink per plugin, the version everywhere.
func TestDeb(t *testing.T) {
	needBash(t)
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb is not installed")
	}
	if testing.Short() {
		t.Skip("builds a package")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", "deb.sh")
	cmd.Env = append(os.Environ(), "OUT="+out, "DEB_ARCHES=amd64", "VERSION=v9.8.7-6-gfeedbee")
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)

	deb := filepath.Join(out, "teko_9.8.7+git6.feedbee_amd64.deb")
	listing, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	require.NoError(t, err, "%s", listing)
	assert.Regexp(t, `(?m)^-rwxr-xr-x root/root .* \./usr/bin/teko$`, string(listing))
	plugins, err := os.ReadDir("../plugins/cmd")
	require.NoError(t, err)
	for _, p := range plugins {
		if _, err := os.Stat(filepath.Join("../plugins/cmd", p.Name(), "main.go")); err == nil && p.Name() != "teko" {
			assert.Regexp(t, `(?m)^lrwxrwxrwx root/root .* \./usr/bin/`+regexp.QuoteMeta(p.Name())+` -> teko$`, string(listing))
		}
	}
	// Aliases (a Mackerel original's name) are symlinks outside PATH.
	assert.Regexp(t, `(?m)^lrwxrwxrwx root/root .* \./usr/lib/teko/mackerel/mackerel-plugin-nginx -> \.\./\.\./\.\./bin/teko$`, string(listing))
	for field, want := range map[string]string{"Package": "teko", "Version": "9.8.7+git6.feedbee", "Architecture": "amd64"} {
		got, err := exec.Command("dpkg-deb", "-f", deb, field).Output()
		require.NoError(t, err)
		assert.Equal(t, want, strings.TrimSpace(string(got)), field)
	}

	root := t.TempDir()
	require.NoError(t, exec.Command("dpkg-deb", "-x", deb, root).Run())
	got, err := exec.Command(filepath.Join(root, "usr/bin/teko"), "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "teko v9.8.7-6-gfeedbee\n", string(got))
	alias := filepath.Join(root, "usr/lib/teko/mackerel/mackerel-plugin-nginx")
	got, err = exec.Command(alias, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "metrics-nginx v9.8.7-6-gfeedbee\n", string(got), "the alias runs its plugin")
}
