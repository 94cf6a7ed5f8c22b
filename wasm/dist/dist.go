// Package dist embeds the built page widgets into the stepcheck binary, so
// that `stepcheck build` ships them without a separate step, and a binary
// made by plain `go install` or `go build` has them too.
//
// The widgets are committed in files/, as `make wasm` (go run ./wasm/dist/pack)
// writes them: widgets.wasm.br (brotli), widgets.wasm.gz (gzip) and the
// wasm_exec.js of the Go that built them. The raw widgets.wasm is not
// committed, because it is 2.6 MB that the brotli copy holds in 0.5 MB and
// gives back in about 15 ms; New derives it. The gzip copy is committed
// because making it takes about 500 ms at the best level, as long as the
// whole build of a 450-page site (BenchmarkDerive shows both).
package dist

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// Only the committed files are embedded, so a widgets.wasm left in files/
// by an older `make wasm` cannot shadow the committed widgets.
//
//go:embed files/README.md files/widgets.wasm.br files/widgets.wasm.gz files/wasm_exec.js
var files embed.FS

// Names of the widget files.
const (
	Wasm       = "widgets.wasm"
	WasmBrotli = Wasm + ".br"
	WasmGzip   = Wasm + ".gz"
	WasmExec   = "wasm_exec.js"
)

// embedded is the one Widgets over the embedded files. Its content is fixed
// at compile time, so sharing it means widgets.wasm is decoded at most once
// per process, however many builds (stepcheck serve rebuilds on every save)
// read it; no caller can see or change anything but the same bytes.
var embedded = New(mustSub(files, "files"))

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant and embedded
	}
	return sub
}

// FS returns the embedded widget files: widgets.wasm (derived from the
// brotli copy on first read), widgets.wasm.br, widgets.wasm.gz and
// wasm_exec.js. It returns the same FS on every call. It is safe for
// concurrent use.
func FS() fs.FS { return embedded }

// Widgets is a directory of widget files as the packer writes them, with
// widgets.wasm added: it is decoded from widgets.wasm.br on its first read
// and kept, so later reads only copy it. Every other name is src's. A
// widgets.wasm of src's own is shadowed, so what is served is always what
// the brotli copy holds. Without widgets.wasm.br, opening widgets.wasm
// fails with an error that matches fs.ErrNotExist.
//
// A Widgets is safe for concurrent use, as long as src is.
type Widgets struct {
	src  fs.FS
	wasm func() (*fileInfo, error)
}

// New returns the widget files of the directory src. Nothing is read until
// a file is opened.
func New(src fs.FS) *Widgets {
	// The decoded widgets are memoised in the value, not in package state,
	// so each source has its own and the value is all a caller holds.
	return &Widgets{src: src, wasm: sync.OnceValues(func() (*fileInfo, error) {
		f, err := src.Open(WasmBrotli)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(brotli.NewReader(f))
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", WasmBrotli, err)
		}
		return &fileInfo{data: data, mod: st.ModTime()}, nil
	})}
}

// Open opens name. widgets.wasm is the decoded brotli copy; the directory
// "." lists it beside src's files.
func (w *Widgets) Open(name string) (fs.File, error) {
	switch name {
	case Wasm:
		info, err := w.wasm()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{info: info, Reader: bytes.NewReader(info.data)}, nil
	case ".":
		return w.openRoot()
	}
	return w.src.Open(name)
}

func (w *Widgets) openRoot() (fs.File, error) {
	info, err := fs.Stat(w.src, ".")
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(w.src, ".")
	if err != nil {
		return nil, err
	}
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == Wasm })
	if _, err := fs.Stat(w.src, WasmBrotli); err == nil {
		wasm, err := w.wasm()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: ".", Err: err}
		}
		entries = append(entries, fs.FileInfoToDirEntry(wasm))
		slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return &dir{info: info, entries: entries}, nil
}

// fileInfo describes widgets.wasm.
type fileInfo struct {
	data []byte // shared by every open file: only ever read
	mod  time.Time
}

func (fi *fileInfo) Name() string       { return Wasm }
func (fi *fileInfo) Size() int64        { return int64(len(fi.data)) }
func (fi *fileInfo) Mode() fs.FileMode  { return 0o444 }
func (fi *fileInfo) ModTime() time.Time { return fi.mod }
func (fi *fileInfo) IsDir() bool        { return false }
func (fi *fileInfo) Sys() any           { return nil }

// file is an open widgets.wasm.
type file struct {
	info *fileInfo
	*bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

// dir is the open directory ".".
type dir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	off     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: errors.New("is a directory")}
}

func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.off += len(rest)
	return slices.Clone(rest), nil
}
