package widget_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// TestSelectorsMatchTheHTML checks that every selector of the contract
// matches an element of the HTML gen writes: gen/markdown's golden files
// for the extensions' markup, and the RepairX site built with the default
// theme for the page around it. The selectors that name one probe or one
// variable are checked with every probe and variable the pages name. The
// classes and the data attributes are checked the same way, on their own.
//
// The bootstrap script's code bars and copy buttons are made in the
// browser; TestBootstrapMakesCopyButtons checks the script instead.
func TestSelectorsMatchTheHTML(t *testing.T) {
	pages := parsePages(t)
	sels := constants(t, "Sel")
	sels["#IDPageData"] = "#" + widget.IDPageData
	for name, c := range constants(t, "Class") {
		if name != "ClassCodeBar" && name != "ClassCopy" {
			sels[name] = "." + c
		}
	}
	for name, d := range constants(t, "Data") {
		sels[name] = "[data-" + kebab(d) + "]"
	}
	var probes, vars []string
	for _, p := range pages {
		for _, e := range p.all(widget.SelProbe) {
			probes = append(probes, e.attrs["data-"+widget.DataProbe])
		}
		for _, e := range p.all(widget.SelVars) {
			vars = append(vars, strings.Fields(e.attrs["data-"+widget.DataVars])...)
		}
	}
	require.NotEmpty(t, probes)
	require.NotEmpty(t, vars)
	for _, id := range probes {
		sels["SelProbeID("+id+")"] = widget.SelProbeID(id)
	}
	for _, v := range vars {
		sels["SelVar("+v+")"] = widget.SelVar(v)
	}

	names := keys(sels)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			sel := parseSelector(t, sels[name])
			for _, p := range pages {
				if len(p.all(sel)) > 0 {
					return
				}
			}
			t.Errorf("%s (%s) matches nothing gen writes", name, sels[name])
		})
	}
}

// TestBootstrapMakesCopyButtons checks that the default theme's bootstrap
// script makes the code bars and copy buttons, and sends the event of a
// template's copy that the widgets record.
func TestBootstrapMakesCopyButtons(t *testing.T) {
	js, err := os.ReadFile("../../themes/default/static/stepcheck.js")
	require.NoError(t, err)
	assert.Contains(t, string(js), `className = "`+widget.ClassCodeBar+`"`)
	assert.Contains(t, string(js), `className = "`+widget.ClassCopy+`"`)
	assert.Contains(t, string(js), `new CustomEvent("`+widget.EventCopied+`"`, "the script says when a template was copied")
}

// kebab returns the data attribute's name for a dataset key: probeApi is
// probe-api.
func kebab(key string) string {
	var b strings.Builder
	for _, c := range key {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('-')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// parsePages parses the golden HTML of gen/markdown and the pages of the
// RepairX site, built in memory without the widgets.
func parsePages(t *testing.T) []*element {
	t.Helper()
	var pages []*element
	golden, err := filepath.Glob("../../gen/markdown/testdata/*.golden.html")
	require.NoError(t, err)
	require.NotEmpty(t, golden)
	for _, p := range golden {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		pages = append(pages, parseHTML(b))
	}
	var diags diag.List
	out, err := site.Build(context.Background(), site.Options{Source: "../.."}, &diags)
	require.NoError(t, err, diag.Join(diags.Sorted()))
	var built []string
	for name := range out.Files {
		if strings.HasSuffix(name, ".html") {
			built = append(built, name)
		}
	}
	require.NotEmpty(t, built)
	sort.Strings(built)
	for _, name := range built {
		pages = append(pages, parseHTML(out.Files[name]))
	}
	return pages
}

// element is a node of a small DOM, enough to match the contract's
// selectors: tags, attributes, and who contains whom.
type element struct {
	tag      string
	attrs    map[string]string
	parent   *element
	children []*element
}

var voidTags = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// parseHTML parses a document into its root. An end tag closes the
// innermost open element of its name, and those inside it; one with none
// open is ignored.
func parseHTML(b []byte) *element {
	root := &element{tag: "#root"}
	open := root
	l := html.NewLexer(parse.NewInputBytes(b))
	var cur *element
	for {
		tt, _ := l.Next()
		switch tt {
		case html.ErrorToken:
			return root
		case html.StartTagToken:
			cur = &element{tag: strings.ToLower(string(l.Text())), attrs: map[string]string{}, parent: open}
			open.children = append(open.children, cur)
		case html.AttributeToken:
			v := string(l.AttrVal())
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
				v = v[1 : len(v)-1]
			}
			cur.attrs[strings.ToLower(string(l.AttrKey()))] = v
		case html.StartTagCloseToken:
			if !voidTags[cur.tag] {
				open = cur
			}
		case html.EndTagToken:
			tag := strings.ToLower(string(l.Text()))
			for e := open; e != root; e = e.parent {
				if e.tag == tag {
					open = e.parent
					break
				}
			}
		}
	}
}

// all returns the elements below e that sel (a string or a parsed
// selector) matches.
func (e *element) all(sel any) []*element {
	s, ok := sel.(selector)
	if !ok {
		s = mustParseSelector(sel.(string))
	}
	var out []*element
	var walk func(*element)
	walk = func(n *element) {
		for _, c := range n.children {
			if s.matches(c) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(e)
	return out
}

// selector is a list of compounds, each one with the combinator that joins
// it to the one before: ' ' (a descendant) or '>' (a child).
type selector []compound

type compound struct {
	combinator byte
	tag        string
	classes    []string
	id         string
	attrs      [][2]string // name, and value or "" for any
	hasValue   []bool
}

func parseSelector(t *testing.T, s string) selector {
	t.Helper()
	sel, err := tryParseSelector(s)
	require.NoError(t, err)
	return sel
}

func mustParseSelector(s string) selector {
	sel, err := tryParseSelector(s)
	if err != nil {
		panic(err)
	}
	return sel
}

type selectorError string

func (e selectorError) Error() string { return "selector beyond the test's grammar: " + string(e) }

// tryParseSelector parses the grammar the contract uses: tag, .class, #id,
// [attr], [attr=value] and [attr="value"], joined by spaces and '>'.
func tryParseSelector(s string) (selector, error) {
	var sel selector
	comb := byte(' ')
	for _, word := range strings.Fields(strings.ReplaceAll(s, ">", " > ")) {
		if word == ">" {
			comb = '>'
			continue
		}
		c := compound{combinator: comb}
		comb = ' '
		rest := word
		for rest != "" {
			i := strings.IndexAny(rest[1:], ".#[") + 1
			if i == 0 {
				i = len(rest)
			}
			part := rest[:i]
			if part[0] == '[' {
				end := strings.IndexByte(rest, ']')
				if end < 0 {
					return nil, selectorError(s)
				}
				part, i = rest[:end+1], end+1
			}
			rest = rest[i:]
			switch part[0] {
			case '.':
				c.classes = append(c.classes, part[1:])
			case '#':
				c.id = part[1:]
			case '[':
				name, value, has := strings.Cut(part[1:len(part)-1], "=")
				c.attrs = append(c.attrs, [2]string{name, strings.Trim(value, `"`)})
				c.hasValue = append(c.hasValue, has)
			default:
				if strings.ContainsAny(part, `:*~+,"'`) {
					return nil, selectorError(s)
				}
				c.tag = part
			}
		}
		sel = append(sel, c)
	}
	if len(sel) == 0 {
		return nil, selectorError(s)
	}
	return sel, nil
}

func (c compound) matches(e *element) bool {
	if c.tag != "" && c.tag != e.tag || c.id != "" && e.attrs["id"] != c.id {
		return false
	}
	classes := strings.Fields(e.attrs["class"])
	for _, want := range c.classes {
		found := false
		for _, have := range classes {
			found = found || have == want
		}
		if !found {
			return false
		}
	}
	for i, a := range c.attrs {
		v, ok := e.attrs[a[0]]
		if !ok || c.hasValue[i] && v != a[1] {
			return false
		}
	}
	return true
}

// matches reports whether e matches the last compound, with its ancestors
// matching the ones before as their combinators say.
func (s selector) matches(e *element) bool {
	last := len(s) - 1
	if !s[last].matches(e) {
		return false
	}
	if last == 0 {
		return true
	}
	rest := s[:last]
	for p := e.parent; p != nil && p.tag != "#root"; p = p.parent {
		if rest.matches(p) {
			return true
		}
		if s[last].combinator == '>' {
			return false
		}
	}
	return false
}

// TestMatcher checks the test's own selector matching.
func TestMatcher(t *testing.T) {
	doc := parseHTML([]byte(`<main><div class="content x"><ul><li><input type=checkbox disabled> a<li><p>b <input type="text"></ul>` +
		`<figure class="sc-template" id="tpl-a" data-template="a"><pre><code><span class="sc-field" data-field="title">{{title}}</span></code></pre></figure></div></main>`))
	for sel, want := range map[string]int{
		".content":                           1,
		"main .content":                      1,
		"main > .content":                    1,
		"main > ul":                          0,
		".content li > input[type=checkbox]": 1,
		".content li > input":                1,
		".content li input":                  2,
		"div.content.x":                      1,
		"div.content.y":                      0,
		"#tpl-a":                             1,
		`[data-template="a"]`:                1,
		`[data-template="b"]`:                0,
		".sc-template .sc-field[data-field]": 1,
		"figure > .sc-field":                 0,
		"span.sc-field[data-field=title]":    1,
	} {
		assert.Len(t, doc.all(sel), want, sel)
	}
}
