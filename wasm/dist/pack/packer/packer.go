// Package packer builds the page widgets into the files wasm/dist commits
// and embeds: widgets.wasm.br, widgets.wasm.gz and wasm_exec.js. It is a
// library so the browser tests build the widgets the same way `make wasm`
// does.
//
// The output is reproducible byte for byte: the wasm is built with
// -trimpath by the toolchain go.mod pins (its toolchain line, forced with
// GOTOOLCHAIN), with the environment settings that change the code
// cleared, and both compressors are deterministic. `make check-widgets`
// relies on this to tell stale committed widgets from fresh ones.
package packer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"
)

// Flags are the build flags of widgets.wasm. Inlining is off: it makes the
// code 10% larger, which after brotli is about 30 KB of a 500 KB budget,
// and widget code is not hot enough to miss it.
var Flags = []string{"-trimpath", "-ldflags=-s -w", "-gcflags=all=-l"}

// Experiment is the GOEXPERIMENT of widgets.wasm. Go 1.26's default
// garbage collector (Green Tea) is built for large heaps on many cores; the
// widgets keep a small heap on one thread, in a Web Worker, where the
// earlier collector does as well, and is about 10 KB (2%) smaller after
// brotli. go.mod pins the toolchain, so the experiment cannot vanish under
// the widgets; a toolchain that no longer knows it fails `make wasm` loudly.
const Experiment = "nogreenteagc"

// Sizes are the sizes of the built widgets.wasm.
type Sizes struct{ Raw, Brotli, Gzip int }

// Pack builds the widgets of the module at moduleDir and writes
// widgets.wasm.br, widgets.wasm.gz and wasm_exec.js into outDir, creating
// it if need be. The raw widgets.wasm is built in a temporary directory and
// not kept: wasm/dist derives it from the brotli copy.
func Pack(moduleDir, outDir string) (Sizes, error) {
	env, err := buildEnv(moduleDir)
	if err != nil {
		return Sizes{}, err
	}
	tmp, err := os.MkdirTemp("", "stepcheck-pack-")
	if err != nil {
		return Sizes{}, err
	}
	defer os.RemoveAll(tmp)
	wasmPath := filepath.Join(tmp, "widgets.wasm")
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", wasmPath, "./wasm")
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleDir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return Sizes{}, fmt.Errorf("go build ./wasm: %v\n%s", err, out)
	}
	cmd = exec.Command("go", "env", "GOROOT")
	cmd.Dir = moduleDir
	cmd.Env = env
	goroot, err := cmd.Output()
	if err != nil {
		return Sizes{}, fmt.Errorf("go env GOROOT: %w", err)
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return Sizes{}, err
	}
	raw, err := os.ReadFile(wasmPath)
	if err != nil {
		return Sizes{}, err
	}
	br, err := Brotli(raw)
	if err != nil {
		return Sizes{}, err
	}
	gz, err := Gzip(raw)
	if err != nil {
		return Sizes{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Sizes{}, err
	}
	for name, b := range map[string][]byte{"widgets.wasm.br": br, "widgets.wasm.gz": gz, "wasm_exec.js": execJS} {
		if err := os.WriteFile(filepath.Join(outDir, name), b, 0o644); err != nil {
			return Sizes{}, err
		}
	}
	return Sizes{Raw: len(raw), Brotli: len(br), Gzip: len(gz)}, nil
}

// buildEnv is the environment of the go commands Pack runs: the js/wasm
// target, the toolchain named by go.mod's toolchain line (so a newer local
// Go does not build different widgets; with GOTOOLCHAIN=auto that line is
// only a minimum), Experiment, and none of the other settings that would
// change the code.
func buildEnv(moduleDir string) ([]string, error) {
	env := []string{"GOOS=js", "GOARCH=wasm", "GOWASM=", "GOEXPERIMENT=" + Experiment, "GOFLAGS="}
	toolchain, err := pinnedToolchain(filepath.Join(moduleDir, "go.mod"))
	if err != nil {
		return nil, err
	}
	if toolchain != "" {
		env = append(env, "GOTOOLCHAIN="+toolchain)
	}
	return append(os.Environ(), env...), nil
}

// pinnedToolchain returns the toolchain line of the go.mod file at path, such as
// "go1.26.8", or "" if it has none.
func pinnedToolchain(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "toolchain "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", sc.Err()
}

// Brotli compresses b at the best quality, as the size budgets are stated.
func Brotli(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Gzip compresses b at the best level, with no name or time in the header.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
