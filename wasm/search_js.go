//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"syscall/js"

	"github.com/stepcheck/stepcheck/gen/search"
	"github.com/stepcheck/stepcheck/wasm/bridge"
	"github.com/stepcheck/stepcheck/wasm/widget"
)

// searchUI is the header search box: results as you type, arrows and Enter
// to choose, "/" to focus. The index's small entry file loads when the box
// is focused; a query then fetches only the postings shards its words fall
// in, and the blocks of the sections it shows.
type searchUI struct {
	input   node
	list    node
	count   node   // the results' count, for screen readers
	q       string // the box's text, as the last keystroke left it
	links   []node // the results' links
	dir     string
	entry   string
	ix      *search.Index
	loading bool
	seq     int
	active  int
	hits    []search.Hit
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
	s := &searchUI{input: input.n, list: list.n, count: count.n, entry: entry, active: -1}
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

// fetchText fetches an index file and returns its text. The files are
// published gzip-compressed and decompressed here, by the browser's own
// DecompressionStream; a host that already sent them with Content-Encoding:
// gzip delivers text, which is taken as it is.
func fetchText(url string) (string, error) {
	resp, err := await(global.Call("fetch", url))
	if err != nil {
		return "", err
	}
	if !resp.Get("ok").Bool() {
		return "", errHTTP(resp.Get("status").Int())
	}
	buf, err := await(resp.Call("arrayBuffer"))
	if err != nil {
		return "", err
	}
	head := global.Get("Uint8Array").New(buf, 0, min(2, buf.Get("byteLength").Int()))
	var text js.Value
	if head.Length() == 2 && head.Index(0).Int() == 0x1f && head.Index(1).Int() == 0x8b {
		body := global.Get("Blob").New([]any{buf}).Call("stream").Call("pipeThrough", global.Get("DecompressionStream").New("gzip"))
		text, err = await(global.Get("Response").New(body).Call("text"))
	} else {
		text = global.Get("TextDecoder").New().Call("decode", buf)
	}
	if err != nil {
		return "", err
	}
	return text.String(), nil
}

// fetchAll fetches files at once and returns their texts in order, or the
// first error.
func fetchAll(urls []string) ([]string, error) {
	type result struct {
		i    int
		text string
		err  error
	}
	done := make(chan result, len(urls))
	for i, u := range urls {
		go func() {
			text, err := fetchText(u)
			done <- result{i, text, err}
		}()
	}
	texts := make([]string, len(urls))
	var first error
	for range urls {
		r := <-done
		texts[r.i] = r.text
		if r.err != nil && first == nil {
			first = r.err
		}
	}
	return texts, first
}

func perfNow() float64 { return global.Get("performance").Call("now").Float() }

type errHTTP int

func (e errHTTP) Error() string { return "HTTP " + strconv.Itoa(int(e)) }

// load fetches the index's entry file, once.
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
		ix, err := search.ParseEntry(text)
		if err != nil {
			s.message("Search index is damaged; rebuild the site")
			return
		}
		s.ix = ix
		s.run()
	}()
}

// run searches for the input's current text: it fetches the shards the
// words need, ranks, fetches the blocks of the hits shown, all at once,
// and shows the results with their snippets. Results of a query that is no
// longer the current one are dropped.
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
	ix := s.ix
	go func() {
		pq := search.ParseQuery(q)
		need := ix.Shards(pq)
		texts, err := fetchAll(s.urls(need, ix.ShardFile))
		for i, text := range texts {
			if err == nil {
				err = ix.LoadShard(need[i], text)
			}
		}
		if err != nil {
			s.message("Search is unavailable: " + err.Error())
			return
		}
		if seq != s.seq {
			return
		}
		t0 := perfNow()
		hits := ix.Search(pq, ix.Expand(pq), maxResults)
		spent := perfNow() - t0
		need = ix.Blocks(hits)
		texts, err = fetchAll(s.urls(need, ix.BlockFile))
		for i, text := range texts {
			if err == nil {
				err = ix.LoadBlock(need[i], text)
			}
		}
		if err != nil {
			s.message("Search is unavailable: " + err.Error())
			return
		}
		if seq != s.seq {
			return
		}
		t1 := perfNow()
		ix.Fill(hits)
		s.hits = hits
		s.active = -1
		s.render()
		// The time the query itself took, without fetches, for the
		// browser benchmark.
		set(root, bridge.OpData, "searchUs", strconv.Itoa(int((spent+perfNow()-t1)*1000)))
	}()
}

// urls gives the index files' URLs for the parts named by name.
func (s *searchUI) urls(parts []int, name func(int) string) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = s.dir + name(p)
	}
	return out
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
	s.links = s.links[:0]
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
	for i, h := range s.hits {
		args := []any{s.links[i]}
		for _, seg := range search.Snippet(h.Text, h.Terms, 140) {
			args = append(args, seg.Text, seg.Match)
		}
		op(bridge.OpSnippet, args...)
	}
	s.show(true)
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
