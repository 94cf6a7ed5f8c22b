package widget_test

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tests here keep the two sides of the contract from drifting apart:
// every selector of the contract matches the HTML gen writes
// (html_test.go), the widgets' glue queries nothing gen writes but through
// the contract (glue_test.go), and the page data's JSON keys are the Key
// constants (TestPageDataKeys).

var (
	contractOnce sync.Once
	contract     map[string]string
	contractErr  error
)

// constants returns the contract's string constants whose names start with
// prefix, by name, read from the package's source so that a constant added
// later is checked without a list to update.
func constants(t *testing.T, prefix string) map[string]string {
	t.Helper()
	contractOnce.Do(func() {
		fset := token.NewFileSet()
		paths, err := filepath.Glob("*.go")
		if err != nil {
			contractErr = err
			return
		}
		var files []*ast.File
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				contractErr = err
				return
			}
			files = append(files, f)
		}
		// The package imports nothing, so it type-checks on its own.
		conf := types.Config{Importer: importer.Default()}
		pkg, err := conf.Check("widget", fset, files, nil)
		if err != nil {
			contractErr = err
			return
		}
		contract = map[string]string{}
		for _, name := range pkg.Scope().Names() {
			if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && c.Exported() && c.Val().Kind() == constant.String {
				contract[name] = constant.StringVal(c.Val())
			}
		}
	})
	require.NoError(t, contractErr)
	out := map[string]string{}
	for name, v := range contract {
		if strings.HasPrefix(name, prefix) {
			out[name] = v
		}
	}
	require.NotEmpty(t, out, "no constants named %s*", prefix)
	return out
}

// values returns the values of cs, sorted.
func values(cs map[string]string) []string {
	var out []string
	for _, v := range cs {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func TestImportsNothing(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		require.NoError(t, err)
		require.Empty(t, f.Imports, "%s: the widgets import this package; every import costs them size", p)
	}
}
