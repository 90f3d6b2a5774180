package all

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)

// Everything a contributor needs is in the repository: the top-level
// documents link only to files that exist here, and name no path outside
// it (such as a design file of a workspace).
func TestTopLevelDocsStayInTheRepository(t *testing.T) {
	for _, doc := range []string{"README.md", "ARCHITECTURE.md"} {
		b, err := os.ReadFile(filepath.Join(root, doc))
		require.NoError(t, err)
		text := string(b)
		assert.NotContains(t, text, "../shared", doc)
		assert.NotContains(t, text, "DESIGN.md", doc)
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			assert.False(t, strings.HasPrefix(filepath.Clean(target), ".."), "%s links outside the repository: %s", doc, target)
			_, err := os.Stat(filepath.Join(root, filepath.FromSlash(target)))
			assert.NoError(t, err, "%s links to %s", doc, target)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	assert.Contains(t, string(readme), "(ARCHITECTURE.md)", "the README points to the architecture notes")
	assert.Contains(t, string(readme), "-replace=github.com/teko-dev/teko=", "the README says how to use a local checkout")
}
