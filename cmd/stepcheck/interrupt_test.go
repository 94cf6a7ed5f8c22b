package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/corpus"
)

// TestBuildInterrupted stops a build of several seconds with a signal, as
// Ctrl-C or a CI runner's cancel does, and expects the process to end within
// a second, leaving the published site as it was.
func TestBuildInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and a site of 5000 pages")
	}
	bin := filepath.Join(t.TempDir(), "stepcheck")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	src := t.TempDir()
	require.NoError(t, corpus.Write(src, 5000))

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "public")
			writeFile(t, filepath.Join(dest, ".stepcheck"), "x")
			writeFile(t, filepath.Join(dest, "index.html"), "the old site")
			before := snapshot(t, filepath.Dir(dest))

			cmd := exec.Command(bin, "build", "-s", src, "-d", dest)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			kill := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
			defer kill.Stop()
			time.Sleep(300 * time.Millisecond) // busy loading pages
			require.NoError(t, cmd.Process.Signal(sig), "the build still runs")
			sent := time.Now()
			err := cmd.Wait()
			took := time.Since(sent)

			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			assert.Equal(t, 128+int(sig), exit.ExitCode(), "the shell's status for a process the signal ended (130, 143)")
			assert.Less(t, took, time.Second, "the build stops within a second of the signal")
			assert.Empty(t, stdout.String())
			assert.Equal(t, "stepcheck build: interrupted; nothing was written\n", stderr.String())
			assert.Equal(t, before, snapshot(t, filepath.Dir(dest)), "the old site is untouched and no temporary directory is left")
		})
	}
}
