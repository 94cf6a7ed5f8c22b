package site

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The marker of a published directory also lists its files: for each, the
// size, the modification time and a hash of the content. The next Publish
// then links an unchanged file after one Lstat that finds it as listed,
// instead of opening and reading it to compare; on this machine's disk,
// each open costs eight system calls. A file changed by hand since (its
// size or time differ) is read and compared as before, and so is every
// file of a directory whose marker has no list. As for the file cache
// (racyWindow), a time within two seconds of the marker's own proves
// nothing: a change in the same clock tick keeps it.

// maxManifest bounds the marker read: about 300 bytes a file, for a site
// of some 200,000 files.
const maxManifest = 64 << 20

// manifestEntry is what the marker records of one file.
type manifestEntry struct {
	sum   [16]byte
	size  int64
	mtime int64 // Unix nanoseconds
}

// manifestHeader starts the list in the marker, after markerText.
const manifestHeader = "# size, time and hash of each file, which the next build uses to link unchanged files:\n"

// sum hashes a file's content for the manifest: SHA-256, cut to 128 bits.
func sum(b []byte) [16]byte {
	full := sha256.Sum256(b)
	return [16]byte(full[:16])
}

// readManifest returns the file list of the marker in dir, empty when
// there is none or it cannot be read. Entries too close to the marker's
// time to be trusted are left out.
func readManifest(dir string) map[string]manifestEntry {
	out := map[string]manifestEntry{}
	path := filepath.Join(dir, Marker)
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		return out
	}
	if st.Size() > maxManifest {
		return out // not one this code wrote: compare every file instead
	}
	trusted := st.ModTime().Add(-racyWindow).UnixNano()
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	_, list, ok := bytes.Cut(b, []byte(manifestHeader))
	if !ok {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(list))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 4)
		if len(f) != 4 {
			continue
		}
		size, err1 := strconv.ParseInt(f[0], 10, 64)
		mtime, err2 := strconv.ParseInt(f[1], 10, 64)
		raw, err3 := hex.DecodeString(f[2])
		name, err4 := strconv.Unquote(f[3])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(raw) != 16 || size < 0 || mtime >= trusted {
			continue
		}
		out[name] = manifestEntry{sum: [16]byte(raw), size: size, mtime: mtime}
	}
	return out
}

// markerContent is the marker's text followed by the file list.
func markerContent(entries map[string]manifestEntry) []byte {
	var b strings.Builder
	b.WriteString(markerText)
	b.WriteString(manifestHeader)
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		e := entries[name]
		b.WriteString(strconv.FormatInt(e.size, 10) + "\t" + strconv.FormatInt(e.mtime, 10) + "\t" +
			hex.EncodeToString(e.sum[:]) + "\t" + strconv.Quote(name) + "\n")
	}
	return []byte(b.String())
}
