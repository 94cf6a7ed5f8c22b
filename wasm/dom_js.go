//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/stepcheck/stepcheck/wasm/bridge"
)

// The widgets run in a Web Worker (widgets-worker.js in the theme starts
// them), so they never hold the page's main thread: Go's start, search,
// templates and the clock all run here. The page is reached through
// package bridge: elements are handles, changes are operations sent once
// per turn, and the page sends back events, query answers and what it
// knows (location, visibility, localStorage). Values go into the page only
// as textContent, value and attributes, never as HTML.

type node = bridge.Node

// The page's fixed elements the widgets use.
const (
	document = bridge.Document
	root     = bridge.Root
)

var (
	global = js.Global()
	nextID = bridge.FirstNew
	// listeners and replies are keyed by the numbers the operations carry.
	listeners = map[int]func(event){}
	replies   = map[int]chan js.Value{}
	nextReq   int
	// What the page says of itself when it starts the worker, and later
	// when it changes.
	pagePath, pageQuery, pageHash, pageOrigin string
	hidden, online                            bool
)

// op queues an operation for the page. The worker script sends the turn's
// operations together when the turn ends. A handle goes as a number.
func op(name string, args ...any) {
	all := make([]any, 1, len(args)+1)
	all[0] = name
	for _, a := range args {
		if n, ok := a.(node); ok {
			a = int(n)
		}
		all = append(all, a)
	}
	global.Call("scOp", all...)
}

func newNode() node {
	n := nextID
	nextID++
	return n
}

// el creates an element with a class and text.
func el(tag, class, text string) node {
	n := newNode()
	op(bridge.OpNew, n, tag, class, text)
	return n
}

// add appends a new element to parent and returns it.
func add(parent node, tag, class, text string) node {
	n := el(tag, class, text)
	appendTo(parent, n)
	return n
}

// appendTo appends children (nodes, or strings as text) to parent.
func appendTo(parent node, children ...any) {
	op(bridge.OpAppend, append([]any{parent}, children...)...)
}

// set sets a property (bridge.OpProp), attribute (OpAttr), dataset key
// (OpData) or class (OpClass, v a bool) of n.
func set(n node, kind, name string, v any) { op(kind, n, name, v) }

func setText(n node, text string) { op(bridge.OpProp, n, "textContent", text) }

// event is what the page forwards of an event: the value and checked state
// of the element listened on, and the key.
type event struct {
	value   string
	checked bool
	key     string
}

// on listens to an event of n. fn runs in the worker after the page has
// applied opts; it must not block (start a goroutine for requests).
func on(n node, typ string, opts bridge.Listen, fn func(event)) {
	op(bridge.OpListen, n, listen(fn), typ, opts.Prevent, opts.Plain, opts.Outside, opts.Confirm, opts.Keys)
}

// listen keeps fn as a listener and returns the number events for it
// carry.
func listen(fn func(event)) int {
	id := len(listeners) + 1
	listeners[id] = fn
	return id
}

// found is one element a query found, with the properties asked for.
type found struct {
	n node
	v js.Value // the answer's row: the handle, then each property
}

func (f found) str(i int) string { return str(f.v.Index(i + 1)) }
func (f found) node(i int) node  { return node(num(f.v.Index(i + 1))) }

// queryAll asks the page for the elements below root matching sel, with
// props (bridge.Prop*) of each. It waits for the answer, so it is called
// from a goroutine (main is one), never from a listener.
func queryAll(root node, sel string, props ...string) []found {
	nextReq++
	id := nextReq
	ch := make(chan js.Value, 1)
	replies[id] = ch
	args := []any{id, root, sel}
	for _, p := range props {
		args = append(args, p)
	}
	op(bridge.OpQuery, args...)
	rows := <-ch
	out := make([]found, rows.Length())
	for i := range out {
		r := rows.Index(i)
		out[i] = found{n: node(r.Index(0).Int()), v: r}
	}
	return out
}

// query returns the first element of the page matching sel.
func query(sel string, props ...string) (found, bool) {
	all := queryAll(document, sel, props...)
	if len(all) == 0 {
		return found{}, false
	}
	return all[0], true
}

// receive takes a message from the page: its name (bridge.Msg*), then its
// values. The worker script always passes ten arguments, undefined where a
// message has fewer.
func receive(_ js.Value, m []js.Value) any {
	if len(m) < 10 {
		return nil
	}
	switch str(m[0]) {
	case bridge.MsgEvent:
		if fn := listeners[int(num(m[1]))]; fn != nil {
			fn(event{value: str(m[2]), checked: m[3].Truthy(), key: str(m[4])})
		}
	case bridge.MsgReply:
		id := int(num(m[1]))
		if ch := replies[id]; ch != nil {
			delete(replies, id)
			ch <- m[2]
		}
	case bridge.MsgVisible:
		if hidden = m[1].Truthy(); !hidden && onVisible != nil {
			onVisible()
		}
	case bridge.MsgNetwork:
		if online = m[1].Truthy(); onNet != nil {
			onNet(online)
		}
	case bridge.MsgStorage:
		if kv != nil {
			kv.m[str(m[1])] = str(m[2])
			if m[2].Type() != js.TypeString {
				delete(kv.m, str(m[1]))
			}
		}
	case bridge.MsgInit:
		if kv == nil {
			// exec and wasm (1, 2) are the worker script's.
			pagePath, pageQuery, pageHash, pageOrigin = str(m[3]), str(m[4]), str(m[5]), str(m[6])
			hidden, online = m[7].Truthy(), m[8].Truthy()
			kv = &storage{m: map[string]string{}}
			for i, s := 0, m[9]; s.Truthy() && i+1 < s.Length(); i += 2 {
				kv.m[str(s.Index(i))] = str(s.Index(i + 1))
			}
			close(started)
		}
	}
	return nil
}

// Hooks the app sets for what the page reports.
var (
	onVisible func()
	onNet     func(online bool)
	started   = make(chan struct{})
)

// start connects the worker script to Go and waits for the page's first
// message.
func start() {
	global.Call("scReady", js.FuncOf(receive))
	<-started
}

func str(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

func num(v js.Value) float64 {
	if v.Type() == js.TypeNumber {
		return v.Float()
	}
	return 0
}

func now() float64 { return global.Get("Date").Call("now").Float() }

// await waits for a promise from a goroutine (never from a listener, which
// must not block) and releases its callbacks.
func await(p js.Value) (js.Value, error) {
	type outcome struct {
		v   js.Value
		err error
	}
	ch := make(chan outcome, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- outcome{v: args[0]}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "request failed"
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			if m := str(args[0].Get("message")); m != "" {
				msg = m
			}
		}
		ch <- outcome{err: errors.New(msg)}
		return nil
	})
	p.Call("then", then, catch)
	o := <-ch
	then.Release()
	catch.Release()
	return o.v, o.err
}

// storage is store.KV over the page's localStorage: the worker has none of
// its own, so the page sends the widgets' keys when it starts the worker,
// and every change goes back to it. Another tab's changes arrive as
// storage events. Private browsing or a full quota makes the page's
// storage throw; the widgets then work without memory beyond the page.
type storage struct {
	m map[string]string
}

var kv *storage

func (l *storage) Get(k string) (string, bool) { v, ok := l.m[k]; return v, ok }

func (l *storage) Set(k, v string) {
	l.m[k] = v
	op(bridge.OpStore, k, v)
}

func (l *storage) Remove(k string) {
	delete(l.m, k)
	op(bridge.OpStore, k, nil)
}
