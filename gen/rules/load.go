package rules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stepcheck/stepcheck/gen/diag"
)

// Load reads the alerting rules of paths, each a file or a directory.
// Directories are walked for files named *.yaml, *.yml or *.rules (which
// covers *.rules.yml), skipping hidden directories and hidden files (.git,
// .github, .pre-commit-config.yaml: never rules); symbolic links to
// directories are not followed. A file named in paths is read whatever its
// name.
//
// Files are read in the order of their paths, sorted, each once however
// many times paths name it, so the output does not depend on the order of
// paths or of the file system. Paths in rules and diagnostics are cleaned
// (filepath.Clean) and otherwise as given, relative when paths are.
//
// A path that cannot be read is an error at path:1:1. A file named in paths
// that holds no alerting rule and no error gets the warning "no alerting
// rules in this file", since the user meant it to hold some; files found
// in a directory do not, since a repository keeps other YAML beside its
// rules. Problems inside files are reported as Parse reports them.
//
// A nil diags drops the diagnostics. Load is safe for concurrent use.
func Load(paths []string, diags *diag.List) []Rule {
	if diags == nil {
		diags = &diag.List{}
	}
	named := map[string]bool{} // file → named in paths
	fail := func(path string, err error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		diags.Errorf(path, 1, 1, "cannot read: %v", err)
	}
	for _, root := range paths {
		root = filepath.Clean(root)
		info, err := os.Stat(root)
		if err != nil {
			fail(root, err)
			continue
		}
		if !info.IsDir() {
			named[root] = true
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fail(path, err)
				return nil // WalkDir skips what it cannot read
			}
			hidden := path != root && strings.HasPrefix(d.Name(), ".")
			switch {
			case d.IsDir() && hidden:
				return filepath.SkipDir
			case d.IsDir() || hidden || !isRuleFile(d.Name()):
				return nil
			case d.Type()&fs.ModeSymlink != 0:
				if info, err := os.Stat(path); err != nil {
					fail(path, err)
					return nil
				} else if info.IsDir() {
					return nil
				}
			}
			if _, ok := named[path]; !ok {
				named[path] = false
			}
			return nil
		})
		if err != nil {
			fail(root, err)
		}
	}
	files := make([]string, 0, len(named))
	for path := range named {
		files = append(files, path)
	}
	slices.Sort(files)
	var out []Rule
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			fail(path, err)
			continue
		}
		rules, ds := parse(path, data)
		diags.Add(ds...)
		out = append(out, rules...)
		if named[path] && len(rules) == 0 && !slices.ContainsFunc(ds, isError) {
			diags.Warnf(path, 1, 1, "no alerting rules in this file")
		}
	}
	return out
}

// isRuleFile reports whether a file found in a directory may hold rules.
func isRuleFile(name string) bool {
	for _, ext := range []string{".yaml", ".yml", ".rules"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func isError(d diag.Diagnostic) bool { return d.Severity == diag.Error }
