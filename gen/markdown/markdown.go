// Package markdown turns one runbook page's Markdown into HTML and the facts
// the site needs about it: front matter, headings for the table of contents,
// the probes, template fields and command variables it uses, its links, and
// every problem found, placed as path:line:col.
//
// A Converter is built once per site build and is safe for concurrent use;
// each Convert call has its own parser context.
package markdown

import (
	"bytes"
	"cmp"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	meta "github.com/yuin/goldmark-meta"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/callout"
	"github.com/stepcheck/stepcheck/gen/markdown/cmdvar"
	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
	"github.com/stepcheck/stepcheck/gen/markdown/mermaid"
	"github.com/stepcheck/stepcheck/gen/markdown/proberef"
	"github.com/stepcheck/stepcheck/gen/markdown/shortcode"
)

// Options configure a Converter.
type Options struct {
	// ProbeTitle returns a probe's public label, or ok=false if the probe is
	// not declared (the page then reports an error).
	ProbeTitle func(id string) (title string, ok bool)
	// ProbeAPI is the probe API's base URL; empty means the site's origin.
	ProbeAPI string
	// Severities are the site's severity IDs, the options of {{severity}}.
	Severities []string
	// BasePath prefixes site-absolute links ("/procedures/x/") when the site
	// is published below a path. Default "/".
	BasePath string
	// Unsafe passes raw HTML in Markdown through instead of dropping it.
	Unsafe bool
	// Params are the site's params, which {{< param "name" >}} reads when
	// the page's front matter does not set the name.
	Params map[string]any
}

// Converter converts pages.
type Converter struct {
	md   goldmark.Markdown
	opts Options
}

// New builds a Converter.
func New(opts Options) *Converter {
	if opts.BasePath == "" {
		opts.BasePath = "/"
	}
	rendererOpts := []goldmark.Option{}
	if opts.Unsafe {
		rendererOpts = append(rendererOpts, goldmark.WithRendererOptions(html.WithUnsafe()))
	}
	md := goldmark.New(append(rendererOpts,
		goldmark.WithExtensions(
			extension.GFM,
			meta.New(),
			commtmpl.New(commtmpl.Options{Severities: opts.Severities}),
			proberef.New(proberef.Options{Title: opts.ProbeTitle, APIBase: opts.ProbeAPI}),
			cmdvar.New(),
			mermaid.New(),
			shortcode.New(),
			callout.Extension(),
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithHeadingAttribute(), // ## Heading {#id}, as Hugo allows
			parser.WithASTTransformers(util.Prioritized(linkTransformer{basePath: opts.BasePath}, 900)),
		),
	)...)
	return &Converter{md: md, opts: opts}
}

// Heading is one section heading of a page.
type Heading struct {
	Level int
	Text  string
	ID    string
}

// Link is a link destination as written, with where it was written. A
// ref or relref shortcode in text is a Link too, whose Dest is the shortcode.
type Link struct {
	Dest string
	Line int
	Col  int
	// Page is set when the link names a page or a file by its path; see
	// PageRef.
	Page *PageRef
	// Image is true for an image, ![alt](dest).
	Image bool
}

// Doc is one converted page.
type Doc struct {
	// Meta is the decoded front matter; nil when there is none or it is bad.
	Meta map[string]any
	// MetaLines maps front-matter keys to their line, for positioning
	// problems with their values.
	MetaLines map[string]int
	HTML      []byte
	Headings  []Heading
	// HeadingTitle is the title a page without a front-matter title takes
	// from its headings, as GitHub readers and Hugo themes see it: the
	// heading that opens the page, of any level, which is then left out of
	// HTML, since the layout shows the title; else the first level-1
	// heading; else the first heading. Headings in code are not headings.
	HeadingTitle string
	// IDs are the element IDs the content gives anchors to: headings and
	// templates (commtmpl.AnchorPrefix + id), for checking links.
	IDs       []string
	Probes    []proberef.Use
	Fields    []commtmpl.Field
	Vars      []string
	Templates int
	Tasks     int
	Diagrams  int // Mermaid diagrams: only a page with one loads the library
	Links     []Link
	// Diagnostics holds every problem found on the page.
	Diagnostics []diag.Diagnostic
	// Lint holds the problems only stepcheck lint reports: headings whose
	// anchors clash. Repeated headings are common in working runbooks, so a
	// build does not warn about them.
	Lint []diag.Diagnostic
	// Lines indexes the source, to place later problems.
	Lines *diag.Lines
	// Sections is the page's plain text by section, for search.
	Sections []Section
}

// problemer is implemented by extension nodes that found problems.
type problemer interface{ Problems() []diag.Problem }

// prober is implemented by extension nodes that name probes.
type prober interface{ ProbeUses() []proberef.Use }

// Convert parses and renders src, reporting problems against path.
func (c *Converter) Convert(path string, src []byte) (*Doc, error) {
	src = normalize(src)
	if p := limitProblem(src); p != nil {
		return refused(path, src, p), nil
	}
	doc := &Doc{Lines: diag.NewLines(src)}
	pc := parser.NewContext()
	// body is what goldmark parses. It has the length of src, so every
	// offset is one into src, and rendering uses src itself.
	body, fm, problems := splitFrontMatter(src)
	rec := &pageLinks{pc: pc, siteParams: c.opts.Params, frontMatter: fm.meta}
	pc.Set(linksKey, rec)
	shortcode.Use(pc, rec)
	body = shortcode.Protect(pc, body)
	root := c.md.Parser().Parse(text.NewReader(body), parser.WithContext(pc))
	doc.readMeta(path, src, root, pc, fm)

	w := walk{doc: doc, src: src, rawHTML: -1}
	_ = ast.Walk(root, w.visit)
	problems = append(problems, w.problems...)
	doc.HeadingTitle = cmp.Or(doc.HeadingTitle, w.firstHeading)
	if w.rawHTML >= 0 && !c.opts.Unsafe {
		problems = append(problems, diag.Problem{Offset: w.rawHTML, Severity: diag.Warning,
			Message: "raw HTML is left out of the page; set unsafe: true in the site configuration to keep it"})
	}
	linkProblems, _ := pc.Get(linkProblemsKey).([]diag.Problem)
	problems = append(problems, linkProblems...)
	doc.Diagnostics = append(doc.Diagnostics, doc.Lines.Place(path, problems)...)
	doc.Lint = doc.Lines.Place(path, duplicateAnchors(w.heads, src, doc.Lines))
	doc.Fields = commtmpl.Fields(pc)
	doc.Vars = cmdvar.Names(pc)
	doc.Sections = sections(root, src)
	doc.Links = rec.placed(doc.Lines)

	var buf bytes.Buffer
	buf.Grow(len(src) * 2)
	if err := c.md.Renderer().Render(&buf, src, root); err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	doc.HTML = buf.Bytes()
	return doc, nil
}

// refused is the Doc of a page over a limit: nothing of it is parsed or
// indexed, which is what the limit is for. Only the lines up to the
// problem are counted.
func refused(path string, src []byte, p *diag.Problem) *Doc {
	end := len(src)
	if nl := bytes.IndexByte(src[min(p.Offset, len(src)):], '\n'); nl >= 0 {
		end = p.Offset + nl
	}
	doc := &Doc{Lines: diag.NewLines(src[:end])}
	doc.Diagnostics = doc.Lines.Place(path, []diag.Problem{*p})
	return doc
}

// splitFrontMatter returns what goldmark should parse of src: all of it
// for YAML front matter, which goldmark-meta reads, and src with the TOML
// front matter blanked out otherwise. fm is the TOML front matter, if any.
func splitFrontMatter(src []byte) (body []byte, fm tomlFrontMatter, problems []diag.Problem) {
	fm, isTOML := readTOML(src)
	if !isTOML {
		body, problems = yamlProblems(src)
		return body, fm, problems
	}
	if fm.problem != nil {
		problems = append(problems, *fm.problem)
	}
	return fm.body, fm, problems
}

// readMeta fills the doc's front matter, from goldmark-meta (YAML) or fm
// (TOML), and takes the page's opening heading as its title when the front
// matter has none.
func (doc *Doc) readMeta(path string, src []byte, root ast.Node, pc parser.Context, fm tomlFrontMatter) {
	m, err := meta.TryGet(pc)
	switch {
	case err != nil:
		// goldmark-meta leaves the raw front matter and the error in the
		// tree; neither belongs on the page.
		if first, ok := root.FirstChild().(*ast.TextBlock); ok {
			root.RemoveChild(root, first)
		}
		line, msg := diag.YAMLError(err)
		// The YAML starts on the line after the opening "---".
		doc.Diagnostics = append(doc.Diagnostics, diag.Diagnostic{Path: path, Line: line + 1, Col: 1, Message: "front matter: " + msg})
	case len(m) > 0:
		doc.Meta = m
		doc.MetaLines = frontMatterLines(src)
	case len(fm.meta) > 0:
		doc.Meta, doc.MetaLines = fm.meta, fm.lines
	}
	if opening, _ := root.FirstChild().(*ast.Heading); opening != nil && doc.Meta["title"] == nil {
		doc.HeadingTitle = plainText(opening, src)
		root.RemoveChild(root, opening)
	}
}

// walk collects, in one pass over the tree, what a Doc says about its
// page: headings and anchors, probes, templates, tasks, diagrams, the
// extensions' problems and where raw HTML first appears.
type walk struct {
	doc          *Doc
	src          []byte
	problems     []diag.Problem
	heads        []heading
	firstHeading string
	rawHTML      int // offset of the first raw HTML, or -1
}

func (w *walk) visit(n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	doc, src := w.doc, w.src
	if p, ok := n.(problemer); ok {
		w.problems = append(w.problems, p.Problems()...)
	}
	if p, ok := n.(prober); ok {
		doc.Probes = append(doc.Probes, p.ProbeUses()...)
	}
	switch n := n.(type) {
	case *ast.Heading:
		w.heading(n)
	case *commtmpl.Block:
		doc.Templates++
		doc.IDs = append(doc.IDs, commtmpl.AnchorPrefix+n.ID)
	case *east.TaskCheckBox:
		doc.Tasks++
	case *mermaid.Block:
		doc.Diagrams++
	case *ast.RawHTML:
		if seg := n.Segments; w.rawHTML < 0 && seg.Len() > 0 && !isComment(src[seg.At(0).Start:seg.At(0).Stop]) {
			w.rawHTML = seg.At(0).Start
		}
	case *ast.HTMLBlock:
		if w.rawHTML < 0 && n.Lines().Len() > 0 && n.HTMLBlockType != ast.HTMLBlockType2 {
			w.rawHTML = n.Lines().At(0).Start
		}
	}
	return ast.WalkContinue, nil
}

func (w *walk) heading(n *ast.Heading) {
	doc := w.doc
	t := plainText(n, w.src)
	if n.Level == 1 && doc.HeadingTitle == "" {
		doc.HeadingTitle = t
	}
	if w.firstHeading == "" {
		w.firstHeading = t
	}
	id, _ := n.AttributeString("id")
	idb, _ := id.([]byte)
	doc.Headings = append(doc.Headings, Heading{Level: n.Level, Text: t, ID: string(idb)})
	doc.IDs = append(doc.IDs, string(idb))
	if n.Lines().Len() > 0 {
		w.heads = append(w.heads, heading{Heading: doc.Headings[len(doc.Headings)-1], node: n})
	}
}

func isComment(html []byte) bool { return bytes.HasPrefix(html, []byte("<!--")) }

// heading is a heading with its node, to place problems.
type heading struct {
	Heading
	node *ast.Heading
}

// duplicateAnchors reports headings whose anchors clash. An anchor given
// twice with {#id} is an error: the page has two elements with one ID, and
// a link reaches only the first. A heading whose text repeats an earlier
// one is a warning: goldmark numbers its anchor (#x-1), so a link to #x
// silently reaches the first.
func duplicateAnchors(heads []heading, src []byte, lines *diag.Lines) []diag.Problem {
	var out []diag.Problem
	byID := map[string]heading{}
	byText := map[string]heading{}
	for _, h := range heads {
		at := h.node.Lines().At(0).Start
		if prev, ok := byID[h.ID]; ok {
			line, _ := lines.Position(prev.node.Lines().At(0).Start)
			out = append(out, diag.Problem{Offset: at, Message: fmt.Sprintf(
				"heading anchor #%s is already used by the heading on line %d; give this one another {#id}", h.ID, line)})
			continue
		}
		byID[h.ID] = h
		key := strings.ToLower(h.Text)
		if prev, ok := byText[key]; ok && !explicitID(h.node, src) && !explicitID(prev.node, src) {
			line, _ := lines.Position(prev.node.Lines().At(0).Start)
			out = append(out, diag.Problem{Offset: at, Severity: diag.Warning, Message: fmt.Sprintf(
				"heading %q repeats the one on line %d, so its anchor is #%s and links to #%s reach line %d; reword it or give it an {#id}",
				h.Text, line, h.ID, prev.ID, line)})
			continue
		}
		byText[key] = h
	}
	return out
}

// explicitID reports whether a heading ends with an attribute block such as
// {#id}; goldmark has cut it from the heading's last line.
func explicitID(h *ast.Heading, src []byte) bool {
	rest := src[h.Lines().At(h.Lines().Len()-1).Stop:]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	return bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte("{"))
}

// plainText returns a heading's text without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tt, ok := t.(*ast.Text); ok {
					b.Write(tt.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// frontMatterLines maps each top-level key of YAML front matter to its
// line.
func frontMatterLines(src []byte) map[string]int {
	first, rest, ok := bytes.Cut(src, []byte("\n"))
	if !ok || strings.TrimSpace(string(first)) != "---" {
		return map[string]int{}
	}
	var yaml []byte
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		if strings.TrimSpace(string(line)) == "---" {
			break
		}
		yaml = src[len(first)+1 : len(src)-len(next)]
		rest = next
	}
	return frontMatterKeyLines(yaml, 1)
}
