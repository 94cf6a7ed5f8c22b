package devserver

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/stepcheck/stepcheck/gen/config"
)

// Watcher reports changes to a site's inputs: everything below content/
// (pages, probes.yaml and the files beside the pages), static/ and themes/,
// stepcheck.yaml, and the Hugo
// configuration a site without stepcheck.yaml is read with. fsnotify watches
// single directories, so the Watcher adds each directory below those, and
// each new one as it appears.
type Watcher struct {
	root    string
	w       *fsnotify.Watcher
	batcher Batcher
}

// NewWatcher starts watching the site at root. Close it when done.
func NewWatcher(root string, b Batcher) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{root: root, w: fw, batcher: b}
	// The root itself, for stepcheck.yaml and for content/, static/ or
	// themes/ appearing later.
	if err := fw.Add(root); err != nil {
		fw.Close()
		return nil, err
	}
	for _, dir := range []string{"content", "static", "themes"} {
		if err := w.addTree(filepath.Join(root, dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fw.Close()
			return nil, err
		}
	}
	return w, nil
}

// addTree watches dir and every directory below it.
func (w *Watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && ignored(d.Name()) {
				return fs.SkipDir
			}
			return w.w.Add(p)
		}
		return nil
	})
}

// Close stops watching.
func (w *Watcher) Close() error { return w.w.Close() }

// Run sends batches of changed paths, slash-separated and relative to the
// site root, on out until ctx is done or the watcher is closed. When
// fsnotify loses events (its queue overflowed), the batch holds "." so that
// the receiver rebuilds anyway.
func (w *Watcher) Run(ctx context.Context, out chan<- []string) {
	in := make(chan string, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.batcher.Run(ctx, in, out)
	}()
	defer func() {
		close(in)
		<-done
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			rel, ok := w.relevant(ev)
			if !ok {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					_ = w.addTree(ev.Name) // a vanished directory needs no watch
				}
			}
			select {
			case in <- rel:
			case <-ctx.Done():
				return
			}
		case _, ok := <-w.w.Errors:
			if !ok {
				return
			}
			select {
			case in <- ".":
			case <-ctx.Done():
				return
			}
		}
	}
}

// relevant says whether an event is about a site input, and gives its path
// relative to the root.
func (w *Watcher) relevant(ev fsnotify.Event) (string, bool) {
	if ev.Op == fsnotify.Chmod {
		return "", false // editors and indexers touch modes; content is the same
	}
	rel, err := filepath.Rel(w.root, ev.Name)
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if ignored(path.Base(rel)) {
		return "", false
	}
	first, _, _ := strings.Cut(rel, "/")
	switch {
	case first == "content" || first == "static" || first == "themes":
		return rel, true
	case rel == first && (rel == config.FileName || slices.Contains(config.HugoFiles(), rel)):
		return rel, true
	}
	return "", false
}

// ignored reports names that editors use for swap, backup and temporary
// files, and hidden files, which the site never reads.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || // .page.md.swp, .#page.md, .goutputstream-X
		strings.HasSuffix(name, "~") || // page.md~
		strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") ||
		strings.HasSuffix(name, ".tmp") ||
		strings.Contains(name, "___jb_") || // JetBrains' safe write
		name == "4913" // vim's probe for a writable directory
}
