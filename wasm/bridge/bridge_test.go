package bridge_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// constants returns the string constants of bridge.go whose names start
// with prefix, by name.
func constants(t *testing.T, prefix string) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), "bridge.go", nil, 0)
	require.NoError(t, err)
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, n := range v.Names {
				if !strings.HasPrefix(n.Name, prefix) || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out[n.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return out
}

func pageScript(t *testing.T, name string) string {
	b, err := os.ReadFile("../../themes/default/static/" + name)
	require.NoError(t, err)
	return string(b)
}

// TestThePageAppliesEveryOperation: the page's half of the bridge has an
// entry in its table of operations for each Op the widgets may send, so a
// new operation cannot be added on one side only.
func TestThePageAppliesEveryOperation(t *testing.T) {
	js := pageScript(t, "stepcheck.js")
	ops := constants(t, "Op")
	require.Greater(t, len(ops), 15, "the test reads the operations")
	for name, v := range ops {
		assert.Regexp(t, regexp.MustCompile(`\n\s+`+regexp.QuoteMeta(v)+`: `), js, "stepcheck.js applies %s (%q)", name, v)
	}
}

// TestThePageSendsEveryMessage: each Msg the widgets read is one the page
// sends, first in its list.
func TestThePageSendsEveryMessage(t *testing.T) {
	js := pageScript(t, "stepcheck.js")
	msgs := constants(t, "Msg")
	require.Len(t, msgs, 6)
	for name, v := range msgs {
		assert.Contains(t, js, `send(["`+v+`"`, "stepcheck.js sends %s (%q)", name, v)
	}
	assert.Contains(t, pageScript(t, "widgets-worker.js"), `m[0] === "`+msgs["MsgInit"]+`"`, "the worker script starts Go on the first message")
}
