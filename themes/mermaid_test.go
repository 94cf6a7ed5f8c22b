package themes

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "remake the Mermaid library's precompressed copies and recorded sum")

// mermaidSHA256 is the sum of the committed library, so an accidental edit
// shows without the network; .ci/check-mermaid compares it with npm.
const mermaidSHA256 = "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8"

// TestMermaidIsTheCommittedLibrary checks the library's sum and that its
// .br and .gz copies decompress to it. With -update it remakes the copies
// (brotli at its best quality takes some seconds) and prints the new sum.
func TestMermaidIsTheCommittedLibrary(t *testing.T) {
	path := filepath.Join("default", "static", filepath.FromSlash(Mermaid))
	lib, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(lib)
	if *update {
		var br bytes.Buffer
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		_, err := bw.Write(lib)
		require.NoError(t, err)
		require.NoError(t, bw.Close())
		var gz bytes.Buffer
		gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, err = gw.Write(lib)
		require.NoError(t, err)
		require.NoError(t, gw.Close())
		require.NoError(t, os.WriteFile(path+".br", br.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(path+".gz", gz.Bytes(), 0o644))
		t.Logf("set mermaidSHA256 to %s", hex.EncodeToString(sum[:]))
	}
	assert.Equal(t, mermaidSHA256, hex.EncodeToString(sum[:]), "%s changed: it must be npm's mermaid@%s file (.ci/check-mermaid)", path, MermaidVersion)

	embedded, err := fs.ReadFile(Default(), "static/"+Mermaid)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(lib, embedded), "the binary embeds the library")
	for ext, open := range map[string]func(io.Reader) (io.Reader, error){
		".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	} {
		c, err := os.ReadFile(path + ext)
		require.NoError(t, err, "run go test ./themes -update")
		r, err := open(bytes.NewReader(c))
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(lib, got), "%s%s does not hold %s: run go test ./themes -update", path, ext, path)
	}
}
