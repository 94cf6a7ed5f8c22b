package render

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
)

// WriteKey writes everything of d that a layout can see, except Site (see
// SiteData.WriteKey) and NavHTML (which Execute makes from the rest), so
// that two PageData with the same key render the same HTML with the same
// theme. TestWriteKeyCoversPageData holds it to every field. buf is scratch
// space, returned for the next call: the small values are gathered and
// hashed in one pass, which costs a fraction of writing each to the hash.
func (d *PageData) WriteKey(h *maphash.Hash, buf []byte) []byte {
	k := keyWriter{buf[:0]}
	p := &d.Page
	k.strings(string(p.Kind), p.Path, p.URL, p.Title, p.Description, p.Service, p.Owner, p.Severity)
	k.strings(p.LastReviewed, p.ReviewedAgo, p.Changed, p.EditURL)
	k.bool(p.Overdue)
	k.int(p.Weight)
	k.list(p.Tags)
	k.list(p.Alerts)
	k.params(p.Params)
	// The page's HTML is most of the bytes: it is hashed on its own, in
	// one call.
	k.int(len(d.Content))
	k.uint(maphash.String(h.Seed(), string(d.Content)))
	k.int(len(d.TOC))
	for _, h := range d.TOC {
		k.int(h.Level)
		k.strings(h.Text, h.ID)
	}
	k.links(d.Crumbs)
	k.nav(d.Nav)
	k.int(len(d.Children))
	for _, c := range d.Children {
		k.strings(c.Title, c.Description, c.Severity, c.URL)
	}
	if n := d.Neighbours; n != nil {
		k.byte('n')
		for _, l := range []*Link{n.Prev, n.Next} {
			if l != nil {
				k.byte('l')
				k.strings(l.Title, l.URL)
			}
			k.byte('.')
		}
	}
	k.byte('w')
	if w := d.Widgets; w != nil {
		k.byte('w')
		k.list(w.Probes)
		k.int(len(w.Fields))
		for _, f := range w.Fields {
			k.strings(f.Name, f.Type.Name)
			k.list(f.Options)
		}
		k.list(w.Vars)
		k.list(w.Severities)
		k.int(w.Tasks)
		k.int(len(w.Targets))
		for _, t := range w.Targets {
			k.str(t.ID)
			for _, n := range []int64{t.Respond, t.Resolve, t.Internal, t.StatusPage} {
				k.int(int(n))
			}
		}
		k.str(w.Postmortem)
	}
	k.int(d.Diagrams)
	h.Write(k.b)
	return k.b
}

// WriteKey writes everything of s that a layout can see: its fields and
// the asset URLs Asset and Widget return.
func (s SiteData) WriteKey(h *maphash.Hash) {
	var k keyWriter
	k.strings(s.Title, s.Lang, s.BasePath, s.ProbeAPI)
	for _, name := range slices.Sorted(maps.Keys(s.assets)) {
		k.strings(name, s.assets[name])
	}
	h.Write(k.b)
}

// keyWriter gathers a key's bytes: each string with its length first, so
// that no two lists of strings give the same bytes.
type keyWriter struct{ b []byte }

func (k *keyWriter) byte(c byte) { k.b = append(k.b, c) }

func (k *keyWriter) uint(n uint64) { k.b = binary.LittleEndian.AppendUint64(k.b, n) }

func (k *keyWriter) int(n int) { k.uint(uint64(n)) }

func (k *keyWriter) bool(b bool) {
	if b {
		k.byte(1)
	} else {
		k.byte(0)
	}
}

func (k *keyWriter) str(s string) {
	k.int(len(s))
	k.b = append(k.b, s...)
}

func (k *keyWriter) strings(ss ...string) {
	for _, s := range ss {
		k.str(s)
	}
}

func (k *keyWriter) list(ss []string) {
	k.int(len(ss))
	k.strings(ss...)
}

func (k *keyWriter) links(ls []Link) {
	k.int(len(ls))
	for _, l := range ls {
		k.strings(l.Title, l.URL)
	}
}

func (k *keyWriter) nav(items []NavItem) {
	k.int(len(items))
	for _, it := range items {
		k.strings(it.Title, it.URL)
		current := byte('-')
		if it.Current {
			current = 'c'
		}
		k.byte(current)
		k.nav(it.Children)
	}
}

// params writes front-matter values, which are YAML's plain types: fmt
// prints maps in key order, so the text is stable.
func (k *keyWriter) params(m map[string]any) {
	k.int(len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		k.strings(name, fmt.Sprintf("%#v", m[name]))
	}
}
