package dist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/wasm/dist/pack/packer"
)

func TestEmbeddedWidgets(t *testing.T) {
	w := FS()
	assert.Same(t, w, FS(), "one FS per process, so the widgets are decoded once")
	require.NoError(t, fstest.TestFS(w, Wasm, WasmBrotli, WasmGzip, WasmExec, "README.md"))

	raw, err := fs.ReadFile(w, Wasm)
	require.NoError(t, err)
	assert.Equal(t, []byte("\x00asm"), raw[:4], "widgets.wasm is a wasm module")
	gz, err := fs.ReadFile(w, WasmGzip)
	require.NoError(t, err)
	fromGzip := gunzip(t, gz)
	assert.True(t, bytes.Equal(raw, fromGzip), "the committed .gz holds the same wasm as the .br")
	exec, err := fs.ReadFile(w, WasmExec)
	require.NoError(t, err)
	assert.Contains(t, string(exec), "globalThis.Go")

	raw[0] = 'X'
	again, err := fs.ReadFile(w, Wasm)
	require.NoError(t, err)
	assert.Equal(t, byte(0), again[0], "a caller changing what it read changes nothing shared")
}

func TestNewDerivesWasmFromBrotli(t *testing.T) {
	wasm := []byte("\x00asm\x01\x00\x00\x00 the widgets")
	br, err := packer.Brotli(wasm)
	require.NoError(t, err)
	src := fstest.MapFS{
		WasmBrotli: {Data: br},
		WasmExec:   {Data: []byte("// exec")},
		Wasm:       {Data: []byte("stale, from an older make wasm")},
	}
	w := New(src)
	require.NoError(t, fstest.TestFS(w, Wasm, WasmBrotli, WasmExec))
	got, err := fs.ReadFile(w, Wasm)
	require.NoError(t, err)
	assert.Equal(t, wasm, got, "the brotli copy wins over a widgets.wasm of src's own")
	entries, err := fs.ReadDir(w, ".")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{WasmExec, Wasm, WasmBrotli}, names)

	_, err = fs.ReadFile(New(fstest.MapFS{WasmExec: {Data: []byte("x")}}), Wasm)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "no .br, no widgets.wasm: %v", err)

	_, err = fs.ReadFile(New(fstest.MapFS{WasmBrotli: {Data: []byte("not brotli")}}), Wasm)
	assert.Error(t, err)
}

func TestNewDecodesOnce(t *testing.T) {
	br, err := packer.Brotli([]byte("wasm"))
	require.NoError(t, err)
	src := &countingFS{FS: fstest.MapFS{WasmBrotli: {Data: br}}}
	w := New(src)
	for range 3 {
		b, err := fs.ReadFile(w, Wasm)
		require.NoError(t, err)
		assert.Equal(t, "wasm", string(b))
	}
	assert.Equal(t, 1, src.brOpens, "the brotli copy is read and decoded once")
}

// countingFS counts the opens of the brotli copy.
type countingFS struct {
	fs.FS
	brOpens int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	if name == WasmBrotli {
		c.brOpens++
	}
	return c.FS.Open(name)
}

// BenchmarkDerive measures what making each derived copy would cost a
// build: decoding widgets.wasm from brotli (done once per process), reading
// it again once decoded (what every later build pays), and gzipping it at
// the best level (why the .gz is committed rather than derived).
func BenchmarkDerive(b *testing.B) {
	br, err := fs.ReadFile(files, "files/"+WasmBrotli)
	require.NoError(b, err)
	raw, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	require.NoError(b, err)
	b.Run("decode-brotli", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := fs.ReadFile(New(mustSub(files, "files")), Wasm); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-decoded", func(b *testing.B) {
		w := FS()
		if _, err := fs.ReadFile(w, Wasm); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := fs.ReadFile(w, Wasm); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gzip-best", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := packer.Gzip(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	return b
}
