package site

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/stepcheck/stepcheck/gen/config"
	"github.com/stepcheck/stepcheck/gen/content"
)

// Marker is the file Publish writes at the root of every directory it
// publishes. CheckDestination replaces a non-empty directory only when it
// holds one, so a build never deletes a folder stepcheck did not write.
const Marker = ".stepcheck"

// markerText is the marker's content, for whoever opens it.
const markerText = "This directory was written by stepcheck build, which replaces all of it on every build.\n"

// The errors of CheckDestination, for errors.Is.
var (
	// ErrProtected means the destination is, contains or lies inside the
	// site's own files: its root, content, themes, static or layouts
	// directory, or a configuration file. No flag overrides it.
	ErrProtected = errors.New("a build never replaces the site's own files")
	// ErrUnmarked means the destination is a non-empty directory without
	// Marker, which stepcheck did not write.
	ErrUnmarked = errors.New("stepcheck did not write it")
	// ErrNotDir means the destination exists and is not a directory.
	ErrNotDir = errors.New("not a directory")
)

// CheckDestination reports whether Publish may replace dest with a site
// built from source. It returns an error wrapping ErrProtected when dest is,
// contains or lies inside the site's root, content, themes, static or
// layouts directory or a configuration file, whatever force says; both
// sides are compared with symbolic links resolved, and a dest that does not
// exist yet is placed by its nearest existing parent. Unless force is set it
// returns an error wrapping ErrNotDir when dest is not a directory, and one
// wrapping ErrUnmarked when dest is a directory holding anything but Marker
// and the files Publish keeps. It writes nothing.
func CheckDestination(source, dest string, force bool) error {
	d, err := resolve(dest)
	if err != nil {
		return fmt.Errorf("destination %s: %w", dest, err)
	}
	root, err := resolve(source)
	if err != nil {
		return fmt.Errorf("source %s: %w", source, err)
	}
	if within(root, d) {
		rel := "contains"
		if same(root, d) {
			rel = "is"
		}
		return fmt.Errorf("destination %s %s the site root %s: %w", dest, rel, source, ErrProtected)
	}
	for _, p := range protected() {
		name := filepath.Join(source, p.name)
		r, err := resolve(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var rel string
		switch {
		case same(d, r):
			rel = "is"
		case within(d, r):
			rel = "lies inside"
		case within(r, d):
			rel = "contains"
		default:
			continue
		}
		if r != filepath.Join(root, p.name) {
			name += " (a link to " + r + ")"
		}
		return fmt.Errorf("destination %s %s the site's %s %s: %w", dest, rel, p.what, name, ErrProtected)
	}
	if force {
		return nil
	}
	st, err := os.Stat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("destination %s: %w", dest, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("destination %s is %w", dest, ErrNotDir)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return fmt.Errorf("destination %s: %w", dest, err)
	}
	if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == Marker }) {
		return nil
	}
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			return fmt.Errorf("destination %s holds %s and no %s marker of an earlier build: %w", dest, e.Name(), Marker, ErrUnmarked)
		}
	}
	return nil
}

// protectedPath is a path below the site root that a build reads.
type protectedPath struct{ name, what string }

func protected() []protectedPath {
	ps := []protectedPath{
		{content.Dir, "content directory"},
		{"themes", "themes directory"},
		{content.StaticDir, "static directory"},
		{"layouts", "layouts directory"},
		{config.FileName, "configuration file"},
	}
	for _, name := range config.HugoFiles() {
		ps = append(ps, protectedPath{name, "Hugo configuration file"})
	}
	return ps
}

// resolve returns p as an absolute path with every symbolic link resolved.
// The part of p that does not exist (yet) is appended to its nearest
// existing parent, resolved.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var missing []string // the names below dir, innermost first
	for dir := abs; ; dir = filepath.Dir(dir) {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			slices.Reverse(missing)
			return filepath.Join(append([]string{r}, missing...)...), nil
		}
		if filepath.Dir(dir) == dir {
			return abs, nil
		}
		missing = append(missing, filepath.Base(dir))
	}
}

// within reports whether p is dir or lies below it. Besides comparing the
// names it compares the directories themselves, so that a case-insensitive
// filesystem or a bind mount does not hide a match.
func within(p, dir string) bool {
	for a := p; ; a = filepath.Dir(a) {
		if same(a, dir) {
			return true
		}
		if filepath.Dir(a) == a {
			return false
		}
	}
}

func same(a, b string) bool {
	return a == b || sameFile(a, b)
}

func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
