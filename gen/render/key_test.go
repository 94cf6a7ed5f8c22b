package render

import (
	"hash/maphash"
	"html/template"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepcheck/stepcheck/gen/markdown/commtmpl"
)

func key(d *PageData) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	d.WriteKey(&h, nil)
	return h.Sum64()
}

var seed = maphash.MakeSeed()

// full returns a PageData with every field set, slices of one element and
// pointers not nil, so that each can be changed.
func full() *PageData {
	return &PageData{
		Page: PageInfo{Kind: "page", Path: "content/a.md", URL: "/a/", Title: "A", Description: "d", Weight: 1,
			Tags: []string{"t"}, Service: "s", Owner: "o", Severity: "SEV-1", Params: map[string]any{"k": "v"}},
		Content:    template.HTML("<p>x</p>"),
		TOC:        []Heading{{Level: 2, Text: "h", ID: "h"}},
		Crumbs:     []Link{{Title: "Home", URL: "/"}},
		Nav:        []NavItem{{Title: "S", URL: "/s/", Current: true, Children: []NavItem{{Title: "A", URL: "/s/a/"}}}},
		Children:   []Child{{Title: "c", Description: "d", Severity: "SEV-2", URL: "/c/"}},
		Neighbours: &Neighbours{Prev: &Link{Title: "p", URL: "/p/"}, Next: &Link{Title: "n", URL: "/n/"}},
		Widgets: &Widgets{Probes: []string{"p"}, Fields: []commtmpl.Field{{Name: "eta", Type: commtmpl.Type{Name: "select", Options: []string{"a"}}}},
			Vars: []string{"v"}, Severities: []string{"SEV-1"}, Tasks: 1, Postmortem: "/pm/",
			Targets: []Target{{ID: "SEV-1", Respond: 1, Resolve: 1, Internal: 1, StatusPage: 1}}},
		Diagrams: 1,
	}
}

// TestWriteKeyCoversPageData changes each value a layout can see, one at a
// time, down to the fields of nested values, and wants a new key each time:
// a field added to PageData and left out of WriteKey fails here, instead of
// serving a stale page.
func TestWriteKeyCoversPageData(t *testing.T) {
	base := key(full())
	var visit func(path string, get func(*PageData) reflect.Value)
	visit = func(path string, get func(*PageData) reflect.Value) {
		v := get(full())
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() || path == "" && (f.Name == "Site" || f.Name == "NavHTML") {
					continue
				}
				if f.Tag.Get("json") == "-" {
					continue // not shown: Field.Typed and Offset are lint's
				}
				if v.Type() == reflect.TypeFor[NavItem]() && f.Name == "Link" {
					continue // made from Title, URL and Current (TestNavLink)
				}
				visit(path+"."+f.Name, func(d *PageData) reflect.Value { return get(d).Field(i) })
			}
			return
		case reflect.Pointer:
			visit(path, func(d *PageData) reflect.Value { return get(d).Elem() })
			d := full()
			get(d).Set(reflect.Zero(v.Type()))
			if key(d) == base {
				t.Errorf("%s = nil does not change the key", path)
			}
			return
		case reflect.Slice:
			if v.Len() > 0 { // the nested navigation ends with an empty list
				visit(path+"[0]", func(d *PageData) reflect.Value { return get(d).Index(0) })
			}
			d := full()
			get(d).Set(reflect.Append(get(d), reflect.Zero(v.Type().Elem())))
			if key(d) == base {
				t.Errorf("a second %s does not change the key", path)
			}
			return
		}
		d := full()
		f := get(d)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int, reflect.Int64:
			f.SetInt(f.Int() + 1)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		case reflect.Map:
			f.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("w"))
		default:
			t.Fatalf("%s: no way to change a %s; extend the test", path, f.Kind())
		}
		if key(d) == base {
			t.Errorf("changing %s does not change the key", path)
		}
	}
	visit("", func(d *PageData) reflect.Value { return reflect.ValueOf(d).Elem() })
	if key(full()) != base {
		t.Error("the key is not stable")
	}
}

func TestSiteDataKey(t *testing.T) {
	k := func(s SiteData) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		s.WriteKey(&h)
		return h.Sum64()
	}
	s := SiteData{Title: "T", Lang: "en", BasePath: "/", ProbeAPI: "/api", assets: map[string]string{"style.css": "/style.1.css"}}
	base := k(s)
	for _, change := range []func(*SiteData){
		func(s *SiteData) { s.Title += "x" }, func(s *SiteData) { s.Lang += "x" },
		func(s *SiteData) { s.BasePath += "x" }, func(s *SiteData) { s.ProbeAPI += "x" },
		func(s *SiteData) { s.assets = map[string]string{"style.css": "/style.2.css"} },
	} {
		c := s
		change(&c)
		if k(c) == base {
			t.Errorf("a change to %+v keeps the key", c)
		}
	}
	if strings.Contains(reflect.TypeOf(s).String(), "*") {
		t.Error("SiteData must be a value")
	}
}

// TestNavLink: an entry's Link is what a layout writing the link itself
// would make of its Title, URL and Current, hostile values included, which
// is why WriteKey can leave it out.
func TestNavLink(t *testing.T) {
	inline := template.Must(template.New("").Parse(`<a href="{{.URL}}"{{if .Current}} aria-current="page"{{end}}>{{.Title}}</a>`))
	for _, tt := range []struct{ title, url string }{
		{"Service down", "/procedures/service-down/"},
		{"Sev-1: the 5xx rate (p95) ~ 5%", "/a_b/c.d~e-f/"},
		{"Plain", "/with space/"},
		{"Plain", "relative/"},
		{"Plain", "/Ünï/"},
		{`<script>alert("x")</script> & 'quotes' + more`, `/a b/"quoted"/?q=1&r=<2>`},
		{"Link", "javascript:alert(1)"},
		{"Ünïcødé", "/ünï/"},
	} {
		it := navItem(tt.title, tt.url)
		for _, current := range []bool{false, true} {
			c := it
			c.mark(current)
			var want strings.Builder
			require.NoError(t, inline.Execute(&want, NavItem{Title: tt.title, URL: tt.url, Current: current}))
			assert.Equal(t, want.String(), string(c.Link))
			assert.Equal(t, current, c.Current)
		}
	}
}
