package secret_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	flags "github.com/jessevdk/go-flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/secret"
)

type opts struct {
	Password secret.Value `long:"password" description:"the password"`
}

func TestValueNeverPrints(t *testing.T) {
	var o opts
	_, err := flags.ParseArgs(&o, []string{"--password", "hunter2"})
	require.NoError(t, err)
	assert.Equal(t, "hunter2", o.Password.Reveal())
	for _, f := range []string{"%v", "%s", "%q", "%#v", "%+v", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(f, o.Password), "hunter2", f)
		assert.NotContains(t, fmt.Sprintf(f, o), "hunter2", f+" of the options struct")
	}
	var help strings.Builder
	p := flags.NewParser(&o, flags.Default)
	p.WriteHelp(&help)
	assert.NotContains(t, help.String(), "hunter2")
}

func TestResolveOrder(t *testing.T) {
	env := map[string]string{"B_PASSWORD": "from-env"}
	getenv := func(k string) string { return env[k] }
	file := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(file, []byte("from file with spaces \"and quotes'\r\nsecond line\n"), 0o600))

	pw, err := secret.Resolve(secret.New("from-flag"), file, getenv, "A_PASSWORD", "B_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "from-flag", pw)

	pw, err = secret.Resolve(secret.New(""), file, getenv, "B_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "", pw, "an empty --password is a password")

	pw, err = secret.Resolve(secret.Value{}, file, getenv, "B_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "from file with spaces \"and quotes'", pw)

	pw, err = secret.Resolve(secret.Value{}, "", getenv, "A_PASSWORD", "B_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "from-env", pw)

	pw, err = secret.Resolve(secret.Value{}, "", getenv, "A_PASSWORD")
	require.NoError(t, err)
	assert.Equal(t, "", pw)
}

func TestReadFileErrorsNameTheFileNotTheContent(t *testing.T) {
	dir := t.TempDir()
	_, err := secret.ReadFile(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\nhunter2\n"), 0o600))
	_, err = secret.ReadFile(empty)
	require.Error(t, err)
	assert.Contains(t, err.Error(), empty)
	assert.NotContains(t, err.Error(), "hunter2")

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat("x", 70<<10)), 0o600))
	_, err = secret.ReadFile(big)
	assert.ErrorContains(t, err, "not a password file")
}

func TestRedactError(t *testing.T) {
	base := errors.New("dial: user=monitor password=s3cr3t host=db")
	err := secret.RedactError(base, "s3cr3t", "")
	assert.Equal(t, "dial: user=monitor password="+secret.Mask+" host=db", err.Error())
	assert.ErrorIs(t, err, base)
	assert.Same(t, base, secret.RedactError(base, "absent"))
	assert.NoError(t, secret.RedactError(nil, "x"))
}

func ExampleResolve() {
	env := map[string]string{"REDIS_PASSWORD": "from the environment"}
	pw, err := secret.Resolve(secret.Value{}, "", func(k string) string { return env[k] }, "REDIS_PASSWORD")
	fmt.Println(pw, err)
	fmt.Println(secret.New(pw))
	// Output:
	// from the environment <nil>
	// ********
}

func ExampleRedact() {
	fmt.Println(secret.Redact(`connect "postgres://app:pa ss@db/x": refused`, "pa ss"))
	// Output: connect "postgres://app:********@db/x": refused
}
