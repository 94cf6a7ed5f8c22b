package markdown

import (
	"bytes"
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
	// File is true for any other relative link or image, "img/x.png": when
	// it names a file beside the page (against the page's directory, as on
	// GitHub), it becomes that file's published URL; otherwise it is a URL
	// and stays as written. Query is then the link's query, without '?'.
	File  bool
	Query string
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
	return p.addLink(Link{Dest: dest}, offset, ref)
}

// addLink records a link whose URL is known only once the site is, and
// returns its placeholder.
func (p *pageLinks) addLink(l Link, offset int, ref *PageRef) string {
	ref.Placeholder = PlaceholderPrefix + strconv.Itoa(len(p.links)) + "-"
	l.Page = ref
	p.links = append(p.links, linkAt{Link: l, offset: offset})
	return ref.Placeholder
}

// PlaceholderPrefix starts every placeholder a Doc's HTML holds until
// Fill; none may reach a published page.
const PlaceholderPrefix = "stepcheck-page-ref-"

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
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest *[]byte
		image := false
		switch l := n.(type) {
		case *ast.Link:
			dest = &l.Destination
		case *ast.Image:
			dest, image = &l.Destination, true
		default:
			return ast.WalkContinue, nil
		}
		at := linkOffset(n, reader.Source(), *dest)
		refs := false
		if v, ok := shortcode.Expand(pc, *dest, func(tag *shortcode.Tag) string {
			v, problem, _ := shortcode.Value(pc, tag)
			if problem != nil {
				problems = append(problems, *problem)
			}
			refs = refs || tag.Name != "param"
			return v
		}); ok {
			*dest = []byte(v)
			if refs {
				return ast.WalkContinue, nil // Ref recorded it
			}
		}
		d := string(*dest)
		if path, frag, ok := markdownFile(d); ok && !image {
			*dest = []byte(rec.add(d, at, &PageRef{Path: path, Fragment: frag}))
			return ast.WalkContinue, nil
		}
		if path, query, frag, ok := relativeFile(d); ok {
			l := Link{Dest: d, Image: image}
			*dest = []byte(rec.addLink(l, at, &PageRef{Path: path, Query: query, Fragment: frag, File: true}))
			return ast.WalkContinue, nil
		}
		rec.links = append(rec.links, linkAt{Link: Link{Dest: d, Image: image}, offset: at})
		if t.basePath != "/" && strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "//") {
			*dest = []byte(t.basePath + d[1:])
		}
		return ast.WalkContinue, nil
	})
	pc.Set(linkProblemsKey, problems)
}

// linkOffset places a link or an image, which goldmark keeps no position
// for: one character before the first text of its label, or else where its
// destination is written in the block that holds it.
func linkOffset(n ast.Node, src, dest []byte) int {
	if t, ok := n.FirstChild().(*ast.Text); ok {
		if _, image := n.(*ast.Image); image {
			return t.Segment.Start - 2 // "!["
		}
		return t.Segment.Start - 1
	}
	for b := n.Parent(); b != nil; b = b.Parent() {
		if b.Type() == ast.TypeBlock && b.Lines().Len() > 0 {
			start := b.Lines().At(0).Start
			if i := bytes.Index(src[start:], append([]byte("("), dest...)); i >= 0 {
				return start + i + 1
			}
			return start
		}
	}
	return 0
}

var linkProblemsKey = parser.NewContextKey()

// relativeFile splits a relative link that is not to a Markdown file,
// "img/x.png?raw=true", into its unescaped path, query and fragment. Such a
// link may name a file beside the page (see PageRef.File).
func relativeFile(dest string) (path, query, frag string, ok bool) {
	if dest == "" || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "?") {
		return "", "", "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.Path == "" {
		return "", "", "", false
	}
	raw, frag, _ := strings.Cut(dest, "#")
	raw, query, _ = strings.Cut(raw, "?")
	if p, err := url.PathUnescape(raw); err == nil {
		raw = p
	}
	return raw, query, frag, true
}

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
