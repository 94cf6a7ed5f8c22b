//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
)

// The few DOM and JS helpers the widgets need. Values go into the page only
// through textContent and value, never innerHTML.

var (
	global   = js.Global()
	document = global.Get("document")
)

func query(sel string) js.Value { return document.Call("querySelector", sel) }

func queryAll(root js.Value, sel string) []js.Value {
	list := root.Call("querySelectorAll", sel)
	out := make([]js.Value, list.Length())
	for i := range out {
		out[i] = list.Index(i)
	}
	return out
}

// el creates an element with a class and text.
func el(tag, class, text string) js.Value {
	e := document.Call("createElement", tag)
	if class != "" {
		e.Set("className", class)
	}
	if text != "" {
		e.Set("textContent", text)
	}
	return e
}

// add appends a new element to parent and returns it.
func add(parent js.Value, tag, class, text string) js.Value {
	e := el(tag, class, text)
	parent.Call("append", e)
	return e
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

// await waits for a promise from a goroutine (never from a js.FuncOf
// callback, which must not block) and releases its callbacks.
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

// funcs keeps the page-lifetime callbacks so they are released together
// when the page goes away.
type funcs []js.Func

func (f *funcs) on(target js.Value, event string, fn func(ev js.Value)) {
	cb := js.FuncOf(func(_ js.Value, args []js.Value) any {
		var ev js.Value
		if len(args) > 0 {
			ev = args[0]
		}
		fn(ev)
		return nil
	})
	*f = append(*f, cb)
	target.Call("addEventListener", event, cb)
}

func (f *funcs) release() {
	for _, cb := range *f {
		cb.Release()
	}
	*f = nil
}

// localStorage is store.KV over window.localStorage. Private browsing or a
// full quota makes storage throw; the widgets then work without memory.
type localStorage struct{ s js.Value }

func newLocalStorage() localStorage {
	defer func() { _ = recover() }()
	return localStorage{s: global.Get("localStorage")}
}

func (l localStorage) ok() bool { return l.s.Truthy() }

// call calls a method of the storage; when it throws, it returns undefined.
func (l localStorage) call(method string, args ...any) (v js.Value) {
	if l.ok() {
		defer func() { _ = recover() }()
		v = l.s.Call(method, args...)
	}
	return v
}

func (l localStorage) Get(k string) (string, bool) {
	r := l.call("getItem", k)
	return str(r), r.Type() == js.TypeString
}

func (l localStorage) Set(k, v string) { l.call("setItem", k, v) }

func (l localStorage) Remove(k string) { l.call("removeItem", k) }
