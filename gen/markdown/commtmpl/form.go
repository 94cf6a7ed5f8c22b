package commtmpl

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"

	"github.com/stepcheck/stepcheck/wasm/form"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// KindForm is the incident form's node kind.
var KindForm = ast.NewNodeKind("CommTemplateForm")

// Form is the incident form that every template on the page shares: one
// input per field, standard fields first, as package form lists them. It
// is written into the page, before the h2 that opens the first template's
// section, so the page keeps its layout when the widgets start (they fill
// and enable it; nothing moves). Without JavaScript the theme hides it.
type Form struct {
	ast.BaseBlock
	Fields []form.Field
}

// Kind implements ast.Node.
func (n *Form) Kind() ast.NodeKind { return KindForm }

// Dump implements ast.Node.
func (n *Form) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// insertForm puts the page's form before the h2 that opens the section
// holding first (its top-level block when no h2 comes before it).
func insertForm(doc *ast.Document, first ast.Node, severities []string, fields []Field) {
	page := make([]form.Field, 0, len(fields))
	for _, f := range fields {
		page = append(page, form.Field{Name: f.Name, Type: f.Type.Name, Options: f.Options})
	}
	top := first
	for top.Parent() != nil && top.Parent() != ast.Node(doc) {
		top = top.Parent()
	}
	anchor := top
	for s := top.PreviousSibling(); s != nil; s = s.PreviousSibling() {
		if h, ok := s.(*ast.Heading); ok && h.Level == 2 {
			anchor = s
			break
		}
	}
	doc.InsertBefore(doc, anchor, &Form{Fields: form.Fields(severities, page)})
}

// renderForm writes the form, its inputs disabled until the widgets run.
func renderForm(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	var b strings.Builder
	esc := func(s string) { b.Write(util.EscapeHTML([]byte(s))) }
	b.WriteString(`<details class="` + widget.ClassForm + `" open><summary class="sc-form-title">` + widget.FormTitle + `</summary><form id="` +
		widget.IDIncidentForm + `" aria-label="Incident details">`)
	for _, f := range node.(*Form).Fields {
		if f.Auto() {
			continue
		}
		id := widget.FormInputPrefix + strings.ReplaceAll(f.Name, ".", "-")
		b.WriteString(`<div class="sc-row"><label for="`)
		esc(id)
		b.WriteString(`">`)
		esc(f.Label)
		b.WriteString(`</label>`)
		attrs := func() {
			b.WriteString(` id="`)
			esc(id)
			b.WriteString(`" name="`)
			esc(f.Name)
			b.WriteString(`" disabled`)
		}
		switch f.Type {
		case widget.TypeSelect:
			b.WriteString(`<select`)
			attrs()
			b.WriteString(`><option value="">—</option>`)
			for _, o := range f.Options {
				b.WriteString(`<option value="`)
				esc(o)
				b.WriteString(`">`)
				esc(o)
				b.WriteString(`</option>`)
			}
			b.WriteString(`</select>`)
		case widget.TypeLong:
			b.WriteString(`<textarea rows="3"`)
			attrs()
			b.WriteString(`></textarea>`)
		case widget.TypeTime:
			b.WriteString(`<input type="datetime-local"`)
			attrs()
			b.WriteString(`>`)
		default:
			b.WriteString(`<input type="text"`)
			attrs()
			b.WriteString(`>`)
		}
		b.WriteString(`</div>`)
	}
	b.WriteString("</form></details>\n")
	_, _ = w.WriteString(b.String())
	return ast.WalkSkipChildren, nil
}
