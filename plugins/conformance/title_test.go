package conformance

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

type fixedTitle struct{}

func (fixedTitle) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return nil, nil
}

type subTitle struct{ fixedTitle }

func (subTitle) Title() string { return "DB Uptime" }

// A check that chooses its title per run (plugin.Titler) may add words
// after its Title; any other check's title is exactly its Title.
func TestTitleMatches(t *testing.T) {
	plain := &plugin.Plugin{Name: "check-db", Title: "DB", New: func() any { return &fixedTitle{} }}
	titled := &plugin.Plugin{Name: "check-db", Title: "DB", New: func() any { return &subTitle{} }}
	assert.True(t, titleMatches(plain, "DB"))
	assert.False(t, titleMatches(plain, "DB Uptime"))
	assert.True(t, titleMatches(titled, "DB"))
	assert.True(t, titleMatches(titled, "DB Uptime"))
	assert.False(t, titleMatches(titled, "DBX"))
	assert.False(t, titleMatches(titled, "Other DB"))
	assert.Equal(t, "DB Uptime", titleIn(titled, "DB Uptime OK: up | uptime=3s\n"))
	assert.Equal(t, "DB", titleIn(plain, "DB Uptime OK: up\n"))
}
