// Package shortcode recognises Hugo shortcodes ({{< name args >}} and
// {{% name args %}}) so that existing Hugo runbooks build.
//
// stepcheck implements three of Hugo's built-in shortcodes, through a
// Resolver the caller supplies for each page (see Use):
//
//   - {{< ref "ops/x.md#a" >}} and {{< relref ... >}} name another page by
//     its file;
//   - {{< param "name" >}} is a parameter's value.
//
// They work in text and in a link destination, [text]({{< ref "x.md" >}})
// or [repo]({{< param repo >}}/issues), which needs Protect before parsing
// and Expand after.
//
// Any other shortcode is a warning, and nothing the writer wrote disappears:
// a paired one ({{% notice %}}inner{{% /notice %}}) renders its inner
// content, and a standalone one ({{< youtube id >}}) renders as its own text.
package shortcode

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/callout"
)

// KindShortcode is the shortcode node's kind.
var KindShortcode = ast.NewNodeKind("Shortcode")

// Tag is one shortcode tag as written.
type Tag struct {
	Name string
	// Args are the positional arguments, unquoted.
	Args []string
	// Named are the name="value" arguments.
	Named map[string]string
	// Closing is {{< /name >}}; SelfClosing is {{< name />}}.
	Closing, SelfClosing bool
	// Escaped is Hugo's {{</* x */>}}, which means the literal {{< x >}}.
	Escaped bool
	// Raw is the tag as written; for an escaped tag, the tag it stands for.
	Raw string
	// Offset is where the tag starts in the page's source.
	Offset int
	// width is the tag's length in the source.
	width int
}

// Arg returns the named argument, or else the positional one at i.
func (t *Tag) Arg(i int, name string) string {
	if v, ok := t.Named[name]; ok {
		return v
	}
	if i < len(t.Args) {
		return t.Args[i]
	}
	return ""
}

// Shortcode is one shortcode tag in a page.
type Shortcode struct {
	ast.BaseInline
	Tag
	// Value is what a shortcode stepcheck implements renders as.
	Value    string
	HasValue bool
	// Paired is set on both tags of an unknown shortcode that has a closing
	// tag: they render as nothing, so their inner content shows.
	Paired  bool
	problem *diag.Problem
	// partner is an opening tag's closing tag, once paired.
	partner *Shortcode
}

// Kind implements ast.Node.
func (n *Shortcode) Kind() ast.NodeKind { return KindShortcode }

// Dump implements ast.Node.
func (n *Shortcode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.Name, "Paired": strconv.FormatBool(n.Paired)}, nil)
}

// Problems reports an unknown shortcode (once, at its opening tag), a
// closing tag without an opening one, and a ref or param that cannot be
// resolved.
func (n *Shortcode) Problems() []diag.Problem {
	if n.problem == nil {
		return nil
	}
	return []diag.Problem{*n.problem}
}

// Resolver gives the values of the shortcodes stepcheck implements. The
// markdown package supplies one for each page.
type Resolver interface {
	// Ref returns what stands in the page for the page that a ref or
	// relref shortcode names; target is as written ("ops/x.md#a").
	Ref(tag *Tag, target string) string
	// Param returns a parameter's value as text; ok is false when it is
	// not set.
	Param(name string) (value string, ok bool)
}

var resolverKey = parser.NewContextKey()

// Use makes r resolve the shortcodes of the page parsed with pc.
func Use(pc parser.Context, r Resolver) { pc.Set(resolverKey, r) }

// Value resolves a shortcode that stepcheck implements. known is false for
// any other shortcode. A problem says why a known one has no value.
func Value(pc parser.Context, t *Tag) (value string, problem *diag.Problem, known bool) {
	r, _ := pc.Get(resolverKey).(Resolver)
	errorf := func(format string, args ...any) *diag.Problem {
		return &diag.Problem{Offset: t.Offset, Message: fmt.Sprintf(format, args...)}
	}
	switch t.Name {
	case "ref", "relref":
		target := t.Arg(0, "path")
		if target == "" {
			return "", errorf(`%s needs the file of a page, such as {{< %s "ops/restart.md" >}}`, t.Name, t.Name), true
		}
		if r == nil {
			return "", errorf("%s %q: pages are only known when the whole site is built", t.Name, target), true
		}
		return r.Ref(t, target), nil, true
	case "param":
		name := t.Arg(0, "name")
		if name == "" {
			return "", errorf(`param needs a name, such as {{< param "statusPage" >}}`), true
		}
		if r != nil {
			if v, ok := r.Param(name); ok {
				return v, nil, true
			}
		}
		return "", errorf("param %q is not set: add it to the page's front matter or to params in the site configuration", name), true
	}
	return "", nil, false
}

type extension struct{}

// New returns the extension.
func New() goldmark.Extender { return extension{} }

// Extend implements goldmark.Extender.
func (extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithInlineParsers(util.Prioritized(inlineParser{}, 140)),
		parser.WithASTTransformers(util.Prioritized(transformer{}, 200)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)))
}

// parseTag reads a shortcode tag at the start of line. It returns nil when
// line does not start with one.
func parseTag(line []byte) *Tag {
	var closer string
	switch {
	case bytes.HasPrefix(line, []byte("{{<")):
		closer = ">}}"
	case bytes.HasPrefix(line, []byte("{{%")):
		closer = "%}}"
	default:
		return nil
	}
	end := bytes.Index(line[3:], []byte(closer))
	if end < 0 {
		return nil
	}
	width := 3 + end + len(closer)
	t := &Tag{Raw: string(line[:width]), width: width}
	inner := strings.TrimSpace(string(line[3 : 3+end]))
	if strings.HasPrefix(inner, "/*") && strings.HasSuffix(inner, "*/") && len(inner) >= 4 {
		t.Escaped = true
		inner = strings.TrimSpace(inner[2 : len(inner)-2])
		t.Raw = "{{" + t.Raw[2:3] + " " + inner + " " + closer
	}
	if rest, ok := strings.CutPrefix(inner, "/"); ok {
		t.Closing, inner = true, strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutSuffix(inner, "/"); ok {
		t.SelfClosing, inner = true, strings.TrimSpace(rest)
	}
	words := splitArgs(inner)
	if len(words) == 0 || strings.ContainsAny(words[0], `"=`+"`") {
		return nil
	}
	t.Name = words[0]
	for _, w := range words[1:] {
		if k, v, ok := strings.Cut(w, "="); ok && k != "" && !strings.ContainsAny(k, `"`+"`") {
			if t.Named == nil {
				t.Named = map[string]string{}
			}
			t.Named[k] = unquote(v)
		} else {
			t.Args = append(t.Args, unquote(w))
		}
	}
	return t
}

// splitArgs splits on spaces outside "double" and `back` quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	in := false
	for _, r := range s {
		switch {
		case quote != 0:
			cur.WriteRune(r)
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '`':
			quote, in = r, true
			cur.WriteRune(r)
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			in = true
			cur.WriteRune(r)
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '`') && s[len(s)-1] == s[0] {
		if s[0] == '"' {
			if u, err := strconv.Unquote(s); err == nil {
				return u
			}
		}
		return s[1 : len(s)-1]
	}
	return s
}

var tagsKey = parser.NewContextKey()

// token stands for a shortcode that Protect swapped out: "{{<@" and its
// index, padded with '@' to the shortcode's length, then ">}}".
var token = regexp.MustCompile(`\{\{<@(\d+)@*>\}\}`)

// Protect prepares src for parsing with pc. A shortcode written in a link
// destination, [text]({{< ref "x.md" >}}), [repo]({{< param repo >}}/issues)
// or [label]: {{< ref "x.md" >}}, holds spaces, which end a destination in
// CommonMark; Protect swaps each such ref, relref or param for a token of
// the same length without spaces, which the parser keeps and Expand turns
// back into a value. Since lengths are kept, every offset into the result is
// an offset into src, so render with src itself. It returns src when there
// is nothing to swap.
func Protect(pc parser.Context, src []byte) []byte {
	var tags []*Tag
	out := src
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("{{"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 2
		if !isDestination(out, at) {
			continue
		}
		line := src[at:]
		if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		t := parseTag(line)
		if t == nil || t.Escaped || t.Closing || (t.Name != "ref" && t.Name != "relref" && t.Name != "param") {
			continue
		}
		tok := "{{<@" + strconv.Itoa(len(tags))
		if len(tok)+3 > t.width {
			continue
		}
		tok += strings.Repeat("@", t.width-len(tok)-3) + ">}}"
		if len(tags) == 0 {
			out = bytes.Clone(src)
		}
		t.Offset = at
		tags = append(tags, t)
		copy(out[at:], tok)
		i = at + t.width
	}
	if len(tags) > 0 {
		pc.Set(tagsKey, tags)
	}
	return out
}

// isDestination reports whether the text at i is part of a link
// destination: the run of text without spaces before it follows "](" or a
// link reference definition's "]:". src has the shortcodes before i swapped
// for tokens already, so the run crosses them.
func isDestination(src []byte, i int) bool {
	j := i
	for j > 0 && !bytes.ContainsRune([]byte(" \t\n()<>"), rune(src[j-1])) {
		j--
	}
	if j >= 2 && src[j-2] == ']' && src[j-1] == '(' {
		return true
	}
	for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t') {
		j--
	}
	return j >= 2 && src[j-2] == ']' && src[j-1] == ':'
}

// Expand returns a link destination with every shortcode that Protect
// swapped out of it replaced by value(tag). ok is false when it held none.
// A token that is not one of this page's stands for nothing and is removed,
// so no token ever reaches a page.
func Expand(pc parser.Context, dest []byte, value func(*Tag) string) (expanded string, ok bool) {
	if !bytes.Contains(dest, []byte("{{<@")) {
		return string(dest), false
	}
	out := token.ReplaceAllFunc(dest, func(tok []byte) []byte {
		t, found := lookup(pc, tok)
		if !found {
			return nil
		}
		ok = true
		return []byte(value(t))
	})
	return string(out), ok
}

// lookup returns the shortcode a token stands for.
func lookup(pc parser.Context, tok []byte) (*Tag, bool) {
	m := token.FindSubmatch(tok)
	if m == nil || len(m[0]) != len(tok) {
		return nil, false
	}
	tags, _ := pc.Get(tagsKey).([]*Tag)
	i, err := strconv.Atoi(string(m[1]))
	if err != nil || i >= len(tags) || tags[i].width != len(tok) {
		return nil, false
	}
	return tags[i], true
}

type inlineParser struct{}

func (inlineParser) Trigger() []byte { return []byte{'{'} }

func (inlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	t := parseTag(line)
	if t == nil {
		return nil
	}
	if p, ok := lookup(pc, line[:t.width]); ok && p.Offset == seg.Start {
		// A protected destination that did not become a link after all.
		cp := *p
		t = &cp
	}
	t.Offset = seg.Start
	block.Advance(t.width)
	return &Shortcode{Tag: *t}
}

// transformer resolves the shortcodes stepcheck implements and pairs the
// tags of the others, once the whole page is parsed.
type transformer struct{}

func (transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var open []*Shortcode
	var all []*Shortcode
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		s, ok := n.(*Shortcode)
		if !ok || !entering || s.Escaped {
			return ast.WalkContinue, nil
		}
		if !s.Closing {
			if v, p, known := Value(pc, &s.Tag); known {
				s.Value, s.HasValue, s.problem = v, p == nil, p
				return ast.WalkContinue, nil
			}
		}
		all = append(all, s)
		if !s.Closing {
			if !s.SelfClosing {
				open = append(open, s)
			}
			return ast.WalkContinue, nil
		}
		for i := len(open) - 1; i >= 0; i-- {
			if open[i].Name == s.Name {
				open[i].Paired, s.Paired = true, true
				open[i].partner = s
				open = append(open[:i], open[i+1:]...)
				break
			}
		}
		return ast.WalkContinue, nil
	})
	for _, s := range all {
		var msg string
		switch {
		case s.Closing && !s.Paired:
			msg = fmt.Sprintf("closing shortcode %q has no opening tag, so it is shown as text", s.Name)
		case s.Closing:
			continue
		case s.Paired:
			msg = fmt.Sprintf("unknown shortcode %q is left out; its inner text is shown", s.Name)
		default:
			msg = fmt.Sprintf("unknown shortcode %q is shown as text", s.Name)
		}
		s.problem = &diag.Problem{Offset: s.Offset, Severity: diag.Warning, Message: msg}
	}
	// A paired tag on a line of its own would leave an empty paragraph.
	for _, s := range all {
		p, ok := s.Parent().(*ast.Paragraph)
		if ok && s.Paired && onlyTags(p, reader.Source()) {
			hidden := &Hidden{}
			for c := p.FirstChild(); c != nil; {
				next := c.NextSibling()
				hidden.AppendChild(hidden, c)
				c = next
			}
			p.Parent().ReplaceChild(p.Parent(), p, hidden)
		}
	}
	for _, s := range all {
		if s.partner != nil && callout.Shortcodes[s.Name] {
			wrapCallout(s)
		}
	}
}

// wrapCallout makes a callout of a paired callout shortcode and what it
// holds, when both tags sit in blocks of the same parent: on lines of their
// own around the content, or in one paragraph with it. Otherwise the inner
// text is shown as it is, with the warning.
func wrapCallout(s *Shortcode) {
	first, last := s.Parent(), s.partner.Parent()
	if first == nil || last == nil || first.Parent() == nil || first.Parent() != last.Parent() {
		return
	}
	word := s.Arg(0, "type")
	if word == "" {
		word = cmp.Or(s.Named["color"], s.Named["style"])
	}
	t, known := callout.Parse(word)
	s.problem = nil
	if !known {
		t = callout.Note
		if word != "" {
			s.problem = &diag.Problem{Offset: s.Offset, Severity: diag.Warning,
				Message: fmt.Sprintf("unknown callout type %q is shown as a note (known: note, tip, important, warning, caution, info, danger)", word)}
		}
	}
	title := s.Named["title"]
	if title == "" && s.Name == "notice" && len(s.Args) > 1 {
		title = s.Args[1] // Learn: {{% notice warning "Title" %}}
	}
	callout.Wrap(callout.New(t, title), first, last)
}

// KindHidden is the kind of Hidden.
var KindHidden = ast.NewNodeKind("ShortcodeLine")

// Hidden is what is left of a paragraph that held nothing but the tags of
// paired shortcodes: it renders as nothing, and keeps the tags' warnings.
type Hidden struct{ ast.BaseBlock }

// Kind implements ast.Node.
func (n *Hidden) Kind() ast.NodeKind { return KindHidden }

// Dump implements ast.Node.
func (n *Hidden) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// onlyTags reports whether a paragraph holds nothing but paired tags and
// white space.
func onlyTags(p *ast.Paragraph, src []byte) bool {
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *Shortcode:
			if !c.Paired {
				return false
			}
		case *ast.Text:
			if len(bytes.TrimSpace(c.Segment.Value(src))) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindHidden, func(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
		return ast.WalkSkipChildren, nil
	})
	reg.Register(KindShortcode, func(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		n := node.(*Shortcode)
		switch {
		case !entering || n.Paired:
		case n.HasValue:
			_, _ = w.Write(util.EscapeHTML([]byte(n.Value)))
		default:
			_, _ = w.Write(util.EscapeHTML([]byte(n.Raw)))
		}
		return ast.WalkSkipChildren, nil
	})
}
