//go:build js && wasm

package main

import (
	"strconv"
	"strings"

	"github.com/stepcheck/stepcheck/gen/search"
	"github.com/stepcheck/stepcheck/wasm/bridge"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// searchUI is the header search box: results as you type, arrows and Enter
// to choose, "/" to focus. The index loads on first use, and only the
// postings shards and page texts a query needs are fetched.
type searchUI struct {
	input    node
	list     node
	count    node   // the results' count, for screen readers
	q        string // the box's text, as the last keystroke left it
	links    []node // the results' links
	snipped  map[int]bool
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

func (a *app) initSearch(entry string) {
	form, ok := query(widget.SelSearchForm)
	if entry == "" || !ok {
		return
	}
	input, _ := query(widget.SelSearchInput)
	list, _ := query(widget.SelResults)
	count, _ := query(widget.SelResultsCount)
	s := &searchUI{input: input.n, list: list.n, count: count.n, entry: entry, active: -1,
		texts: map[string]map[int]string{}, fetching: map[string]bool{}, snipped: map[int]bool{}}
	s.dir = entry[:strings.LastIndexByte(entry, '/')+1]
	set(form.n, bridge.OpProp, "hidden", false)
	on(form.n, "submit", bridge.Listen{Prevent: true}, func(event) { s.open(0) })
	on(s.input, "focus", bridge.Listen{}, func(event) { s.load() })
	on(s.input, "input", bridge.Listen{}, func(e event) { s.q = e.value; s.run() })
	on(form.n, "keydown", bridge.Listen{Prevent: true, Keys: "ArrowDown ArrowUp"}, func(e event) {
		if e.key == "ArrowDown" {
			s.move(1)
		} else {
			s.move(-1)
		}
	})
	on(form.n, "keydown", bridge.Listen{Keys: "Escape"}, func(event) {
		s.close()
		op(bridge.OpFocus, s.input)
	})
	// "/" anywhere but in a field goes to the search box.
	on(document, "keydown", bridge.Listen{Prevent: true, Plain: true, Keys: "/"}, func(event) { op(bridge.OpFocus, s.input) })
	on(document, "click", bridge.Listen{Outside: form.n}, func(event) { s.close() })
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
	q := s.q
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
		set(root, bridge.OpData, "searchUs", strconv.Itoa(int((spent+perfNow()-t1)*1000)))
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

// message shows text in place of results.
func (s *searchUI) message(text string) {
	s.links = nil
	op(bridge.OpResults, s.list, 0, text)
	s.show(true)
}

func (s *searchUI) show(open bool) {
	set(s.list, bridge.OpProp, "hidden", !open)
}

func (s *searchUI) close() {
	s.show(false)
	s.active = -1
}

// render shows the results. The page's half writes them as elements and
// text nodes: nothing the reader typed, and nothing from the index, is ever
// parsed as HTML.
func (s *searchUI) render() {
	if len(s.hits) == 0 {
		msg := "No results for “" + strings.TrimSpace(s.q) + "”"
		s.message(msg)
		setText(s.count, msg)
		return
	}
	setText(s.count, strconv.Itoa(len(s.hits))+" results; use the down arrow to reach them")
	s.links, s.snipped = s.links[:0], map[int]bool{}
	args := []any{s.list, nextID, ""}
	for _, h := range s.hits {
		s.links = append(s.links, newNode())
		title := h.PageTitle
		if h.Heading != "" && h.Heading != h.PageTitle {
			title += " › " + h.Heading
		}
		args = append(args, h.URL, title)
	}
	op(bridge.OpResults, args...)
	s.fillSnippets()
	s.show(true)
}

// fillSnippets adds the snippets whose page texts have arrived, in place,
// so a result the reader has moved to keeps its focus.
func (s *searchUI) fillSnippets() {
	for i, h := range s.hits {
		text, ok := s.texts[h.Fragment][h.Doc]
		if !ok || i >= len(s.links) || s.snipped[i] {
			continue
		}
		s.snipped[i] = true
		args := []any{s.links[i]}
		for _, seg := range search.Snippet(text, h.Terms, 140) {
			args = append(args, seg.Text, seg.Match)
		}
		op(bridge.OpSnippet, args...)
	}
}

func (s *searchUI) move(d int) {
	if len(s.links) == 0 {
		return
	}
	s.active += d
	if s.active < 0 {
		s.active = -1
		op(bridge.OpFocus, s.input)
		return
	}
	s.active = min(s.active, len(s.links)-1)
	op(bridge.OpFocus, s.links[s.active])
}

// open follows result i.
func (s *searchUI) open(i int) {
	if i >= len(s.hits) {
		return
	}
	s.close()
	op(bridge.OpNavigate, s.hits[i].URL, false)
}
