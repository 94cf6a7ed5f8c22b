package widget_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// own are the strings the widgets' glue may query by itself: what it makes
// on the page (and checks that it does) and what it tells the tests, which
// gen never writes. Anything else it queries comes from the contract, so
// TestSelectorsMatchTheHTML covers it.
var own = map[string]string{
	// Dataset keys of the bar's buttons and clock, and of the root
	// element, where the widgets say how long a search took.
	"act": "", "arg": "", "level": "", "searchUs": "",
}

// TestGlueQueriesOnlyTheContract reads the widgets' glue (../*_js.go) and
// checks every string it queries the page with: the selectors and
// properties of query and queryAll (which the page answers, see
// wasm/bridge), and any querySelector, closest, getAttribute or dataset
// read a later change might add.
// Each comes from the contract, or is one of the widgets' own.
func TestGlueQueriesOnlyTheContract(t *testing.T) {
	paths, err := filepath.Glob("../*_js.go")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var src strings.Builder
	queried := 0
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		src.Write(b)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, b, 0)
		require.NoError(t, err)
		for _, q := range queries(f) {
			queried++
			for _, lit := range literals(q) {
				if _, ok := own[lit]; !ok {
					t.Errorf("%s: the widgets query %q, which is not in package widget: add it there, or to own if the widgets make it", fset.Position(q.Pos()), lit)
				}
			}
		}
	}
	assert.Greater(t, queried, 20, "the test finds the glue's queries")
	for sel, class := range own {
		if class != "" {
			assert.Contains(t, src.String(), strconv.Quote(class), "the widgets make %s themselves", sel)
		}
	}
}

// queries returns the arguments the file queries the page with.
func queries(f *ast.File) []ast.Expr {
	datasets := map[string]bool{} // variables holding an element's dataset
	ast.Inspect(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && len(a.Lhs) == 1 && len(a.Rhs) == 1 && isGet(a.Rhs[0], "dataset") {
			if id, ok := a.Lhs[0].(*ast.Ident); ok {
				datasets[id.Name] = true
			}
		}
		return true
	})
	var out []ast.Expr
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			// query(sel, props…) and queryAll(root, sel, props…).
			switch {
			case fn.Name == "query":
				out = append(out, call.Args...)
			case fn.Name == "queryAll" && len(call.Args) >= 2:
				out = append(out, call.Args[1:]...)
			}
		case *ast.SelectorExpr:
			switch fn.Sel.Name {
			case "Call":
				switch stringLit(call.Args[0]) {
				case "querySelector", "querySelectorAll", "closest", "getElementById", "getAttribute", "contains":
					if len(call.Args) > 1 && (stringLit(call.Args[0]) != "contains" || isGet(fn.X, "classList")) {
						out = append(out, call.Args[1])
					}
				}
			case "Get", "Set":
				id, isIdent := fn.X.(*ast.Ident)
				if isGet(fn.X, "dataset") || isIdent && datasets[id.Name] {
					out = append(out, call.Args[0])
				}
			}
		}
		return true
	})
	return out
}

// isGet reports whether e is a call x.Get(name).
func isGet(e ast.Expr, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Get" && stringLit(call.Args[0]) == name
}

func stringLit(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return s
}

// literals returns the string literals in e: those of a query written
// inline rather than taken from the contract.
func literals(e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			out = append(out, stringLit(lit))
		}
		return true
	})
	return out
}
