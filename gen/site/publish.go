package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/internal/parallel"
)

// keep lists files of an existing publish directory that are not build
// output and survive a publish (public/README.md explains the directory).
var keep = []string{"README.md"}

const writers = 8

// Publish writes files to dest atomically: it writes them into a fresh
// directory beside dest, then swaps that directory in. A reader of dest sees
// either the whole old site or the whole new one, and an error at any point
// before the swap leaves dest untouched. Publish replaces whatever dest
// holds: check it first with CheckDestination. It writes Marker at the root
// of the new site, beside files. When ctx is done before the swap, Publish
// removes the new directory and returns ctx.Err(), leaving dest untouched.
func Publish(ctx context.Context, dest string, files map[string][]byte) error {
	dest = filepath.Clean(dest)
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".new-")
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	entries, err := writeTree(ctx, tmp, dest, files)
	if err == nil {
		// The marker is not in files: it is no page, and the service
		// worker must not precache it.
		err = os.WriteFile(filepath.Join(tmp, Marker), markerContent(entries), 0o644)
	}
	if err == nil {
		err = ctx.Err() // the last moment to stop: the swap publishes
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	old, err := swap(tmp, dest)
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("publish: %w", err)
	}
	if old != "" {
		removeTree(old)
	}
	return nil
}

// removeTree removes dir, a site Publish wrote: its files by several
// workers, since removing a file waits on the filesystem as creating one
// does, then its directories, deepest first, each level by several workers
// too. Whatever that leaves (a file added meanwhile) goes by os.RemoveAll.
func removeTree(dir string) error {
	var files []string
	var levels [][]string // directories by depth below dir
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
			return nil
		}
		depth := strings.Count(p[len(dir):], string(filepath.Separator))
		for len(levels) <= depth {
			levels = append(levels, nil)
		}
		levels[depth] = append(levels[depth], p)
		return nil
	})
	if err == nil {
		parallel.ForN(len(files), writers, func(i int) { os.Remove(files[i]) })
		for depth := len(levels) - 1; depth > 0; depth-- {
			parallel.ForN(len(levels[depth]), writers, func(i int) { os.Remove(levels[depth][i]) })
		}
	}
	return os.RemoveAll(dir)
}

// writeTree writes files into dir, keeping what keep names from previous,
// and returns what the marker records of each file. It stops early,
// returning ctx.Err(), when ctx is done.
func writeTree(ctx context.Context, dir, previous string, files map[string][]byte) (map[string]manifestEntry, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		if !fs.ValidPath(name) || strings.HasPrefix(name, "../") {
			return nil, fmt.Errorf("refusing to write %q outside the site", name)
		}
		names = append(names, name)
	}
	for _, name := range keep {
		if _, built := files[name]; built {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(previous, name)); err == nil {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				return nil, err
			}
		}
	}
	if err := makeDirs(dir, names); err != nil {
		return nil, err
	}
	listed := readManifest(previous)
	made := make([]manifestEntry, len(names))
	errs := make([]error, len(names))
	// Creating files is bound by the filesystem's latency, not the CPU, so
	// more writers than cores help (measured with BenchmarkPublish).
	parallel.ForN(len(names), writers, func(i int) {
		if ctx.Err() != nil {
			return
		}
		rel := filepath.FromSlash(names[i])
		made[i], errs[i] = writeOrLink(filepath.Join(dir, rel), filepath.Join(previous, rel), files[names[i]], listed[names[i]])
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	entries := make(map[string]manifestEntry, len(names))
	for i, name := range names {
		entries[name] = made[i]
	}
	return entries, nil
}

// makeDirs makes the directories of names below dir, each once and
// parents first, rather than a MkdirAll (a stat per level) per file.
func makeDirs(dir string, names []string) error {
	dirs := map[string]bool{}
	for _, name := range names {
		for d := path.Dir(name); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	sorted := slices.Sorted(maps.Keys(dirs)) // "a" before "a/b"
	for _, d := range sorted {
		if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// writeOrLink writes b to p, or hard-links p to the previous site's copy
// when that already holds exactly b, and returns what the marker records of
// p. A rebuild usually changes few pages, and a link costs the filesystem
// far less than a new file; the new tree is still complete on its own, so
// the swap stays atomic. The previous copy holds b when the previous
// marker lists it with b's hash and it still has the listed size and time,
// or, without that, when it has b's size and reading it gives b.
func writeOrLink(p, prev string, b []byte, listed manifestEntry) (manifestEntry, error) {
	e := manifestEntry{sum: sum(b), size: int64(len(b))}
	if fi, err := os.Lstat(prev); err == nil && fi.Mode().IsRegular() && fi.Size() == e.size {
		same := listed.sum == e.sum && listed.size == e.size && listed.mtime == fi.ModTime().UnixNano()
		if !same {
			old, err := os.ReadFile(prev)
			same = err == nil && bytes.Equal(old, b)
		}
		if same && os.Link(prev, p) == nil {
			e.mtime = fi.ModTime().UnixNano()
			return e, nil
		}
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return e, err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return e, err
	}
	e.mtime = fi.ModTime().UnixNano()
	return e, nil
}

// swap puts dir in place of dest and returns the path now holding the old
// site ("" if there was none), for the caller to remove.
func swap(dir, dest string) (string, error) {
	if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) {
		return "", os.Rename(dir, dest)
	}
	if err := exchange(dir, dest); err == nil {
		return dir, nil
	}
	// No atomic exchange here (another OS or filesystem): two renames, with
	// dest missing only for the instant between them.
	old := dir + ".old"
	if err := os.Rename(dest, old); err != nil {
		return "", err
	}
	if err := os.Rename(dir, dest); err != nil {
		_ = os.Rename(old, dest)
		return "", err
	}
	return old, nil
}
