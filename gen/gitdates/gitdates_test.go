package gitdates

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repo makes a git repository in a temporary directory and returns a
// function that commits files at a given time.
func repo(t *testing.T) (dir string, commit func(when string, files ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = t.TempDir()
	git := func(env []string, args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git(nil, "init", "-q", "-b", "main")
	return dir, func(when string, files ...string) {
		for _, f := range files {
			p := filepath.Join(dir, f)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(when+f), 0o644))
		}
		git(nil, "add", "-A")
		env := []string{"GIT_AUTHOR_DATE=" + when, "GIT_COMMITTER_DATE=" + when,
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
		git(env, "commit", "-q", "-m", "at "+when)
	}
}

func TestLastChangeOfEachFile(t *testing.T) {
	dir, commit := repo(t)
	commit("2026-01-01T10:00:00Z", "site/content/a.md", "site/content/ops/b.md", "site/content/12345", "other/x.md")
	commit("2026-03-05T08:30:00Z", "site/content/a.md", "other/x.md")
	commit("2026-04-01T00:00:00Z", "site/content/ops/new file.md")

	dates, err := Read(context.Background(), filepath.Join(dir, "site"))
	require.NoError(t, err)
	assert.Equal(t, map[string]time.Time{
		"content/a.md":            time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC),
		"content/ops/b.md":        time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		"content/12345":           time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		"content/ops/new file.md": time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
	}, dates, "paths below the site root only, a name of digits is a file, spaces are kept")
}

func TestNoGitNoDates(t *testing.T) {
	dates, err := Read(context.Background(), t.TempDir())
	assert.NoError(t, err)
	assert.Empty(t, dates)
}

func TestShallowCloneGivesNoDates(t *testing.T) {
	dir, commit := repo(t)
	commit("2026-01-01T10:00:00Z", "a.md")
	commit("2026-02-01T10:00:00Z", "b.md")
	clone := filepath.Join(t.TempDir(), "clone")
	out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+dir, clone).CombinedOutput()
	require.NoError(t, err, "%s", out)
	dates, err := Read(context.Background(), clone)
	assert.ErrorIs(t, err, ErrShallow)
	assert.Empty(t, dates)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("\x011700000000\x00\na.md\x00b.md\x00\x01x\x00c"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for name, at := range parse(out) {
			assert.NotEmpty(t, name)
			assert.False(t, at.IsZero())
		}
	})
}
