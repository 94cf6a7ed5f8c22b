//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"
)

// These run under Node (go_js_wasm_exec): no DOM, but real JS promises and
// the real syscall/js bridge.

func TestAwaitResolves(t *testing.T) {
	v, err := await(global.Get("Promise").Call("resolve", 42))
	if err != nil || v.Int() != 42 {
		t.Fatalf("await(resolve 42) = %v, %v", v, err)
	}
}

func TestAwaitRejects(t *testing.T) {
	_, err := await(global.Get("Promise").Call("reject", global.Get("Error").New("boom")))
	if err == nil || err.Error() != "boom" {
		t.Fatalf("await(reject boom) error = %v", err)
	}
}

func TestLocalStorageAbsentIsHarmless(t *testing.T) {
	// Node has no localStorage: state is simply not kept.
	l := localStorage{s: js.Undefined()}
	l.Set("k", "v")
	if _, ok := l.Get("k"); ok {
		t.Fatal("Get found a value in absent storage")
	}
	l.Remove("k")
}

func TestStrAndNumIgnoreWrongTypes(t *testing.T) {
	if str(js.ValueOf(3)) != "" || num(js.ValueOf("x")) != 0 || str(js.ValueOf("a")) != "a" || num(js.ValueOf(2.5)) != 2.5 {
		t.Fatal("str/num conversions")
	}
}
