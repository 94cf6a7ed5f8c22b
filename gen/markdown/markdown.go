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
	"github.com/stepcheck/stepcheck/gen/markdown/cmdvar"
	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
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
			shortcode.New(),
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
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

// Link is a link destination as written, with where it was written.
type Link struct {
	Dest string
	Line int
	Col  int
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
	// FirstH1 is the text of the first level-1 heading, the title of a page
	// without front matter.
	FirstH1   string
	Probes    []proberef.Use
	Fields    []commtmpl.Field
	Vars      []string
	Templates int
	Tasks     int
	Links     []Link
	// Diagnostics holds every problem found on the page.
	Diagnostics []diag.Diagnostic
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
	pc := parser.NewContext()
	root := c.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	doc := &Doc{Lines: diag.NewLines(src)}

	m, err := meta.TryGet(pc)
	if err != nil {
		// goldmark-meta leaves the raw front matter and the error in the
		// tree; neither belongs on the page.
		if first, ok := root.FirstChild().(*ast.TextBlock); ok {
			root.RemoveChild(root, first)
		}
		line, msg := diag.YAMLError(err)
		// The YAML starts on the line after the opening "---".
		doc.Diagnostics = append(doc.Diagnostics, diag.Diagnostic{Path: path, Line: line + 1, Col: 1, Message: "front matter: " + msg})
	} else if len(m) > 0 {
		doc.Meta = m
		doc.MetaLines = frontMatterLines(src)
	}

	var problems []diag.Problem
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if p, ok := n.(problemer); ok {
			problems = append(problems, p.Problems()...)
		}
		if p, ok := n.(prober); ok {
			doc.Probes = append(doc.Probes, p.ProbeUses()...)
		}
		switch n := n.(type) {
		case *ast.Heading:
			t := plainText(n, src)
			if n.Level == 1 && doc.FirstH1 == "" {
				doc.FirstH1 = t
			}
			id, _ := n.AttributeString("id")
			idb, _ := id.([]byte)
			doc.Headings = append(doc.Headings, Heading{Level: n.Level, Text: t, ID: string(idb)})
		case *commtmpl.Block:
			doc.Templates++
		case *east.TaskCheckBox:
			doc.Tasks++
		}
		return ast.WalkContinue, nil
	})
	doc.Diagnostics = append(doc.Diagnostics, doc.Lines.Place(path, problems)...)
	doc.Fields = commtmpl.Fields(pc)
	doc.Vars = cmdvar.Names(pc)
	doc.Sections = sections(root, src)
	links, _ := pc.Get(linksKey).([]linkAt)
	for _, l := range links {
		line, col := doc.Lines.Position(l.offset)
		doc.Links = append(doc.Links, Link{Dest: l.dest, Line: line, Col: col})
	}

	var buf bytes.Buffer
	buf.Grow(len(src) * 2)
	if err := c.md.Renderer().Render(&buf, src, root); err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	doc.HTML = buf.Bytes()
	return doc, nil
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

// frontMatterLines maps each top-level front-matter key to its line number.
func frontMatterLines(src []byte) map[string]int {
	out := map[string]int{}
	lines := strings.Split(string(src), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return out
	}
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "---" {
			break
		}
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == '-' {
			continue
		}
		if k, _, ok := strings.Cut(l, ":"); ok {
			out[strings.TrimSpace(k)] = i + 1
		}
	}
	return out
}

var linksKey = parser.NewContextKey()

type linkAt struct {
	dest   string
	offset int
}

// linkTransformer records every link as written, for lint, and prefixes
// site-absolute links with the base path, so content written as
// "/procedures/x/" works when the site is published below a path.
type linkTransformer struct{ basePath string }

func (t linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var links []linkAt
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		d := string(l.Destination)
		// goldmark keeps no position on links; the first text inside the
		// label is one character after the '['.
		at := 0
		if t, ok := l.FirstChild().(*ast.Text); ok {
			at = t.Segment.Start - 1
		}
		links = append(links, linkAt{dest: d, offset: at})
		if t.basePath != "/" && strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//") {
			l.Destination = []byte(t.basePath + d[1:])
		}
		return ast.WalkContinue, nil
	})
	pc.Set(linksKey, links)
}
