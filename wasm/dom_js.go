//go:build js && wasm

package main

import (
	"errors"
	"strconv"
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

const (
	window   = bridge.Window
	document = bridge.Document
	root     = bridge.Root
	body     = bridge.Body
)

var (
	global = js.Global()
	scOp   js.Value // the worker script's collector of operations
	nextID = bridge.FirstNew
	// listeners and replies are keyed by the numbers the operations carry.
	listeners = map[int]func(event){}
	replies   = map[int]chan js.Value{}
	nextReq   int
	page      pageInfo
)

// pageInfo is what the page tells the worker when it starts it, and later
// when it changes.
type pageInfo struct {
	path, search, hash, origin string
	hidden                     bool
	online                     bool
}

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
	scOp.Invoke(all...)
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

func prepend(parent, child node)   { op(bridge.OpPrepend, parent, child) }
func insertBefore(ref, child node) { op(bridge.OpBefore, ref, child) }

// shown is what the worker set last on each element, by handle, kind and
// name, so that the clock's tick every second sends only what changed.
var shown = map[string]string{}

func slot(n node, kind, name string) string { return strconv.Itoa(int(n)) + kind + name }

// changed reports whether v differs from what was last set in the slot,
// and remembers it.
func changed(n node, kind, name, v string) bool {
	k := slot(n, kind, name)
	if old, ok := shown[k]; ok && old == v {
		return false
	}
	shown[k] = v
	return true
}

// asText is a property's value as shown's key: string, bool or int.
func asText(v any) string {
	switch v := v.(type) {
	case bool:
		return boolText(v)
	case int:
		return strconv.Itoa(v)
	}
	s, _ := v.(string)
	return s
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// setProp sets a property. value, checked and open are the reader's to
// change too, so they are always sent (the page leaves a value that is
// already there alone, so the caret stays).
func setProp(n node, name string, v any) {
	if name == "value" || name == "checked" || name == "open" || changed(n, bridge.OpProp, name, asText(v)) {
		op(bridge.OpProp, n, name, v)
	}
}

func setText(n node, text string) { setProp(n, "textContent", text) }

func setAttr(n node, name, v string) {
	if changed(n, bridge.OpAttr, name, v) {
		op(bridge.OpAttr, n, name, v)
	}
}

func setData(n node, key, v string) {
	if changed(n, bridge.OpData, key, v) {
		op(bridge.OpData, n, key, v)
	}
}

func toggle(n node, class string, on bool) {
	if changed(n, bridge.OpClass, class, boolText(on)) {
		op(bridge.OpClass, n, class, on)
	}
}

// empty empties an element of what was appended to it.
func empty(n node) {
	delete(shown, slot(n, bridge.OpProp, "textContent"))
	op(bridge.OpProp, n, "textContent", "")
}

func focus(n node) { op(bridge.OpFocus, n) }

// drop tells the page the worker no longer refers to ns.
func drop(ns []node) {
	if len(ns) == 0 {
		return
	}
	args := make([]any, len(ns))
	for i, n := range ns {
		args[i] = n
	}
	op(bridge.OpDrop, args...)
}

func navigate(url string)    { op(bridge.OpNavigate, url, false) }
func replacePage(url string) { op(bridge.OpNavigate, url, true) }
func copyText(text string)   { op(bridge.OpCopy, text) }

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
	id := len(listeners) + 1
	listeners[id] = fn
	op(bridge.OpListen, n, id, typ, opts.Prevent, opts.Plain, opts.Outside, opts.Confirm, opts.Keys)
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
// values.
func receive(_ js.Value, m []js.Value) any {
	arg := func(i int) js.Value {
		if i < len(m) {
			return m[i]
		}
		return js.Undefined()
	}
	switch str(arg(0)) {
	case bridge.MsgEvent:
		if fn := listeners[int(num(arg(1)))]; fn != nil {
			fn(event{value: str(arg(2)), checked: arg(3).Truthy(), key: str(arg(4))})
		}
	case bridge.MsgReply:
		id := int(num(arg(1)))
		if ch := replies[id]; ch != nil {
			delete(replies, id)
			ch <- arg(2)
		}
	case bridge.MsgVisible:
		page.hidden = arg(1).Truthy()
		if onVisible != nil && !page.hidden {
			onVisible()
		}
	case bridge.MsgNetwork:
		page.online = arg(1).Truthy()
		if onNet != nil {
			onNet(page.online)
		}
	case bridge.MsgStorage:
		if kv != nil {
			if v := arg(2); v.Type() == js.TypeString {
				kv.m[str(arg(1))] = v.String()
			} else {
				delete(kv.m, str(arg(1)))
			}
		}
	case bridge.MsgInit:
		if kv == nil {
			initPage(arg)
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

func initPage(arg func(int) js.Value) {
	page = pageInfo{path: str(arg(3)), search: str(arg(4)), hash: str(arg(5)), origin: str(arg(6)),
		hidden: arg(7).Truthy(), online: arg(8).Truthy()}
	s := arg(9)
	kv = &storage{m: map[string]string{}, ok: s.Truthy()}
	for i := 0; kv.ok && i+1 < s.Length(); i += 2 {
		kv.m[str(s.Index(i))] = str(s.Index(i + 1))
	}
	close(started)
}

// start connects the worker script to Go and waits for the page's first
// message.
func start() {
	scOp = global.Get("scOp")
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
	m  map[string]string
	ok bool
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

func (l *storage) keys() []string {
	out := make([]string, 0, len(l.m))
	for k := range l.m {
		out = append(out, k)
	}
	return out
}
