package markdown

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	meta "github.com/yuin/goldmark-meta"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/markdown/shortcode"
)

// PageRef is a link that names a page by its file rather than by its URL: a
// ref or relref shortcode, or a relative link to a .md file. The URL is
// known only once every page is, so the page's HTML holds Placeholder until
// gen/content fills it in with Doc.Fill. This keeps a Doc a function of its
// source and the site configuration alone.
type PageRef struct {
	// Path is the file as written, without the fragment: "ops/x.md",
	// "../x.md", "/ops/x".
	Path string
	// Fragment is the anchor, without '#', or "".
	Fragment string
	// Shortcode is true for ref and relref. Hugo resolves those against the
	// page's directory, then content/, then by file name, and the page must
	// exist. A Markdown link is resolved against the page's directory, as
	// GitHub does.
	Shortcode bool
	// Placeholder stands for the URL in HTML.
	Placeholder string
}

// Fill returns the page's HTML with the URL of every PageRef filled in.
// url returns a link's URL, with the base path, or ok=false to keep the
// link as written (a file that does not exist). The Doc is not changed, so
// one Doc can serve several builds.
func (d *Doc) Fill(url func(Link) (string, bool)) []byte {
	var pairs []string
	for _, l := range d.Links {
		if l.Page == nil {
			continue
		}
		u, ok := url(l)
		if !ok {
			u = l.Dest
		}
		pairs = append(pairs, l.Page.Placeholder, string(util.EscapeHTML(util.URLEscape([]byte(u), true))))
	}
	if len(pairs) == 0 {
		return d.HTML
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(d.HTML)))
}

var linksKey = parser.NewContextKey()

// pageLinks collects a page's links while it is parsed, and resolves its
// shortcodes: refs become placeholders, params come from the front matter
// and then from the site configuration, as Hugo's .Param does.
type pageLinks struct {
	pc         parser.Context
	siteParams map[string]any
	// frontMatter is the TOML front matter; YAML is read from pc.
	frontMatter map[string]any
	links       []linkAt
}

var _ shortcode.Resolver = (*pageLinks)(nil)

type linkAt struct {
	Link
	offset int
}

// Ref implements shortcode.Resolver.
func (p *pageLinks) Ref(tag *shortcode.Tag, target string) string {
	path, frag, _ := strings.Cut(target, "#")
	return p.add(tag.Raw, tag.Offset, &PageRef{Path: path, Fragment: frag, Shortcode: true})
}

// add records a page reference and returns its placeholder.
func (p *pageLinks) add(dest string, offset int, ref *PageRef) string {
	ref.Placeholder = "stepcheck-page-ref-" + strconv.Itoa(len(p.links)) + "-"
	p.links = append(p.links, linkAt{Link: Link{Dest: dest, Page: ref}, offset: offset})
	return ref.Placeholder
}

// Param implements shortcode.Resolver.
func (p *pageLinks) Param(name string) (string, bool) {
	fm := p.frontMatter
	if fm == nil {
		fm, _ = meta.TryGet(p.pc)
	}
	for _, m := range []map[string]any{fm, p.siteParams} {
		if v, ok := lookup(m, name); ok && v != nil {
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

// lookup finds a dotted name ("contacts.oncall") in nested maps, ignoring
// case as Hugo does.
func lookup(m map[string]any, name string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(name, ".") {
		var next any
		found := false
		switch c := cur.(type) {
		case map[string]any:
			next, found = c[k]
			for mk, v := range c {
				if !found && strings.EqualFold(mk, k) {
					next, found = v, true
				}
			}
		case map[any]any:
			for mk, v := range c {
				if !found && strings.EqualFold(fmt.Sprint(mk), k) {
					next, found = v, true
				}
			}
		}
		if !found {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// linkTransformer records every link as written, for lint; swaps relative
// links to .md files and ref shortcodes for placeholders (see PageRef); and
// prefixes site-absolute links with the base path, so content written as
// "/procedures/x/" works when the site is published below a path.
type linkTransformer struct{ basePath string }

func (t linkTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	rec, _ := pc.Get(linksKey).(*pageLinks)
	if rec == nil {
		return
	}
	var problems []diag.Problem
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		// goldmark keeps no position on links; the first text inside the
		// label is one character after the '['.
		at := 0
		if t, ok := l.FirstChild().(*ast.Text); ok {
			at = t.Segment.Start - 1
		}
		if tag, ok := shortcode.Lookup(pc, l.Destination); ok {
			v, problem, _ := shortcode.Value(pc, tag)
			if problem != nil {
				problems = append(problems, *problem)
			}
			l.Destination = []byte(v)
			if tag.Name != "param" {
				return ast.WalkContinue, nil // Ref recorded it
			}
		}
		d := string(l.Destination)
		if path, frag, ok := markdownFile(d); ok {
			l.Destination = []byte(rec.add(d, at, &PageRef{Path: path, Fragment: frag}))
			return ast.WalkContinue, nil
		}
		rec.links = append(rec.links, linkAt{Link: Link{Dest: d}, offset: at})
		if t.basePath != "/" && strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//") {
			l.Destination = []byte(t.basePath + d[1:])
		}
		return ast.WalkContinue, nil
	})
	pc.Set(linkProblemsKey, problems)
}

var linkProblemsKey = parser.NewContextKey()

// markdownFile splits a relative link to a Markdown file, "../ops/x.md#a",
// into its unescaped path and fragment.
func markdownFile(dest string) (path, frag string, ok bool) {
	if dest == "" || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "?") {
		return "", "", false
	}
	if u, err := url.Parse(dest); err != nil || u.Scheme != "" || u.Host != "" {
		return "", "", false
	}
	raw, frag, _ := strings.Cut(dest, "#")
	raw, _, _ = strings.Cut(raw, "?")
	if !strings.HasSuffix(strings.ToLower(raw), ".md") {
		return "", "", false
	}
	if p, err := url.PathUnescape(raw); err == nil {
		raw = p
	}
	return raw, frag, true
}

// placed returns the recorded links in source order, with their positions.
func (p *pageLinks) placed(lines *diag.Lines) []Link {
	slices.SortStableFunc(p.links, func(a, b linkAt) int { return a.offset - b.offset })
	out := make([]Link, 0, len(p.links))
	for _, l := range p.links {
		l.Line, l.Col = lines.Position(l.offset)
		out = append(out, l.Link)
	}
	return out
}
