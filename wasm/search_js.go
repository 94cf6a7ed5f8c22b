//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/stepcheck/stepcheck/gen/search"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// searchUI is the header search box: results as you type, arrows and Enter
// to choose, "/" to focus. The index loads on first use, and only the
// postings shards and page texts a query needs are fetched.
type searchUI struct {
	a        *app
	input    js.Value
	list     js.Value
	dir      string
	entry    string
	ix       *search.Index
	loading  bool
	seq      int
	active   int
	hits     []search.Hit
	texts    map[string]map[int]string // fragment file → doc → text
	fetching map[string]bool
}

const maxResults = 8

func (a *app) initSearch() {
	entry := str(document.Get("body").Get("dataset").Get(widget.DataSearch))
	form := query(widget.SelSearchForm)
	if entry == "" || !form.Truthy() {
		return
	}
	s := &searchUI{a: a, input: query(widget.SelSearchInput), list: query(widget.SelResults), entry: entry, active: -1,
		texts: map[string]map[int]string{}, fetching: map[string]bool{}}
	s.dir = entry[:strings.LastIndexByte(entry, '/')+1]
	form.Set("hidden", false)
	a.funcs.on(form, "submit", func(ev js.Value) {
		ev.Call("preventDefault")
		s.open(0)
	})
	a.funcs.on(s.input, "focus", func(js.Value) { s.load() })
	a.funcs.on(s.input, "input", func(js.Value) { s.run() })
	a.funcs.on(form, "keydown", func(ev js.Value) { s.key(ev) })
	a.funcs.on(document, "keydown", func(ev js.Value) {
		if str(ev.Get("key")) != "/" || ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() {
			return
		}
		tag := str(document.Get("activeElement").Get("tagName"))
		if tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" {
			return
		}
		ev.Call("preventDefault")
		s.input.Call("focus")
	})
	a.funcs.on(document, "click", func(ev js.Value) {
		if !form.Call("contains", ev.Get("target")).Bool() {
			s.close()
		}
	})
}

func fetchText(url string) (string, error) {
	resp, err := await(global.Call("fetch", url))
	if err != nil {
		return "", err
	}
	if !resp.Get("ok").Bool() {
		return "", errHTTP(resp.Get("status").Int())
	}
	t, err := await(resp.Call("text"))
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

func perfNow() float64 { return global.Get("performance").Call("now").Float() }

type errHTTP int

func (e errHTTP) Error() string { return "HTTP " + strconv.Itoa(int(e)) }

// load fetches the terms and the document table, once.
func (s *searchUI) load() {
	if s.ix != nil || s.loading {
		return
	}
	s.loading = true
	go func() {
		defer func() { s.loading = false }()
		text, err := fetchText(s.entry)
		if err != nil {
			s.message("Search is unavailable: " + err.Error())
			return
		}
		ix, err := search.ParseTerms(text)
		if err != nil {
			s.message("Search index is damaged; rebuild the site")
			return
		}
		docs, err := fetchText(s.dir + ix.DocsFile())
		if err == nil {
			err = ix.LoadDocs(docs)
		}
		if err != nil {
			s.message("Search is unavailable: " + err.Error())
			return
		}
		s.ix = ix
		s.run()
	}()
}

// run searches for the input's current text. Results of a query that is
// no longer the current one are dropped.
func (s *searchUI) run() {
	q := str(s.input.Get("value"))
	s.seq++
	seq := s.seq
	if strings.TrimSpace(q) == "" {
		s.close()
		return
	}
	if s.ix == nil {
		s.load()
		return
	}
	go func() {
		t0 := perfNow()
		pq := search.ParseQuery(q)
		exps := s.ix.Expand(pq)
		spent := perfNow() - t0
		for _, i := range s.ix.Shards(exps) {
			text, err := fetchText(s.dir + s.ix.ShardFile(i))
			if err == nil {
				err = s.ix.LoadShard(i, text)
			}
			if err != nil {
				s.message("Search is unavailable: " + err.Error())
				return
			}
		}
		if seq != s.seq {
			return
		}
		t1 := perfNow()
		s.hits = s.ix.Search(pq, exps, maxResults)
		s.active = -1
		s.render()
		// The time the query itself took, without fetches, for the
		// browser benchmark.
		document.Get("documentElement").Get("dataset").Set("searchUs", strconv.Itoa(int((spent+perfNow()-t1)*1000)))
		s.snippets(seq)
	}()
}

// snippets fetches the texts of the pages shown, then fills in snippets.
func (s *searchUI) snippets(seq int) {
	for _, h := range s.hits {
		f := h.Fragment
		if _, ok := s.texts[f]; ok || s.fetching[f] {
			continue
		}
		s.fetching[f] = true
		text, err := fetchText(s.dir + f)
		s.fetching[f] = false
		if err != nil {
			continue
		}
		s.texts[f] = search.ParseFragment(text)
		if seq == s.seq {
			s.fillSnippets()
		}
	}
}

func (s *searchUI) message(text string) {
	s.list.Set("textContent", "")
	li := el("li", "results-empty", text)
	s.list.Call("append", li)
	s.show(true)
}

func (s *searchUI) show(open bool) {
	s.list.Set("hidden", !open)
}

func (s *searchUI) close() {
	s.show(false)
	s.active = -1
}

// status tells screen readers how many results there are.
func (s *searchUI) status(text string) {
	if st := query(widget.SelResultsCount); st.Truthy() {
		st.Set("textContent", text)
	}
}

// render writes the results as elements and text nodes: nothing the reader
// typed, and nothing from the index, is ever parsed as HTML.
func (s *searchUI) render() {
	s.list.Set("textContent", "")
	if len(s.hits) == 0 {
		msg := "No results for “" + strings.TrimSpace(str(s.input.Get("value"))) + "”"
		s.message(msg)
		s.status(msg)
		return
	}
	s.status(strconv.Itoa(len(s.hits)) + " results; use the down arrow to reach them")
	for i, h := range s.hits {
		li := el("li", "", "")
		a := el("a", "", "")
		a.Set("id", "sc-r-"+strconv.Itoa(i))
		a.Set("href", h.URL)
		title := h.PageTitle
		if h.Heading != "" && h.Heading != h.PageTitle {
			title += " › " + h.Heading
		}
		a.Call("append", el("span", "r-title", title))
		li.Call("append", a)
		s.list.Call("append", li)
	}
	s.fillSnippets()
	s.show(true)
}

// fillSnippets adds the snippets whose page texts have arrived, in place,
// so a result the reader has moved to keeps its focus.
func (s *searchUI) fillSnippets() {
	for i, h := range s.hits {
		a := query("#sc-r-" + strconv.Itoa(i))
		text, ok := s.texts[h.Fragment][h.Doc]
		if !ok || !a.Truthy() || a.Call("querySelector", ".r-snippet").Truthy() {
			continue
		}
		snip := el("span", "r-snippet", "")
		for _, seg := range search.Snippet(text, h.Terms, 140) {
			if seg.Match {
				snip.Call("append", el("mark", "", seg.Text))
			} else {
				snip.Call("append", document.Call("createTextNode", seg.Text))
			}
		}
		a.Call("append", snip)
	}
}

// key moves the focus between the box and the results with the arrow
// keys; Enter on a result is the link's own.
func (s *searchUI) key(ev js.Value) {
	switch str(ev.Get("key")) {
	case "ArrowDown":
		ev.Call("preventDefault")
		s.move(1)
	case "ArrowUp":
		ev.Call("preventDefault")
		s.move(-1)
	case "Escape":
		s.close()
		s.input.Call("focus")
	}
}

func (s *searchUI) move(d int) {
	links := queryAll(s.list, "a")
	if len(links) == 0 {
		return
	}
	s.active += d
	if s.active < 0 {
		s.active = -1
		s.input.Call("focus")
		return
	}
	s.active = min(s.active, len(links)-1)
	links[s.active].Call("focus")
}

// open follows result i.
func (s *searchUI) open(i int) {
	if i >= len(s.hits) {
		return
	}
	s.close()
	global.Get("location").Set("href", s.hits[i].URL)
}
