//go:build js && wasm

package main

import (
	"runtime"
	"strconv"
	"syscall/js"
	"testing"

	"github.com/stepcheck/stepcheck/wasm/bridge"
)

// These run under Node (go_js_wasm_exec): no DOM and no worker, but real
// JS promises and the real syscall/js bridge. The worker script's scOp is
// a stand-in that collects the operations as the real one does; the page's
// messages are given to receive as the worker script passes them.

var queued = js.Global().Get("Array").New()

func init() {
	global.Set("scOp", js.FuncOf(func(_ js.Value, args []js.Value) any {
		o := js.Global().Get("Array").New()
		for _, a := range args {
			o.Call("push", a)
		}
		queued.Call("push", o)
		return nil
	}))
}

// sent takes what the widgets queued, as the page would receive it, in
// JSON ("" for nothing).
func sent() string {
	if queued.Length() == 0 {
		return ""
	}
	s := global.Get("JSON").Call("stringify", queued).String()
	queued = js.Global().Get("Array").New()
	return s
}

// msg is a message from the page, as the worker script passes it: ten
// arguments, undefined after the message's own.
func msg(args ...any) []js.Value {
	out := make([]js.Value, 10)
	for i := range out {
		out[i] = js.Undefined()
		if i < len(args) {
			out[i] = js.ValueOf(args[i])
		}
	}
	return out
}

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

func TestOperationsGoInOrder(t *testing.T) {
	sent()
	n := el("p", "x", "one")
	setText(n, "two")
	appendTo(n, " and", n)
	want := `[["n",` + itoa(n) + `,"p","x","one"],["p",` + itoa(n) + `,"textContent","two"],["ap",` + itoa(n) + `," and",` + itoa(n) + `]]`
	if got := sent(); got != want {
		t.Fatalf("batch = %s, want %s", got, want)
	}
	on(n, "keydown", bridge.Listen{Prevent: true, Keys: "ArrowDown ArrowUp", Outside: document, Confirm: "Sure?"}, func(event) {})
	want = `[["on",` + itoa(n) + `,` + strconv.Itoa(len(listeners)) + `,"keydown",true,false,2,"Sure?","ArrowDown ArrowUp"]]`
	if got := sent(); got != want {
		t.Fatalf("batch = %s, want %s", got, want)
	}
}

func TestStorageSendsEveryChangeToThePage(t *testing.T) {
	sent()
	s := &storage{m: map[string]string{"stepcheck:a": "1"}}
	s.Set("stepcheck:b", "2")
	s.Remove("stepcheck:a")
	if got, want := sent(), `[["ls","stepcheck:b","2"],["ls","stepcheck:a",null]]`; got != want {
		t.Fatalf("batch = %s, want %s", got, want)
	}
	if v, ok := s.Get("stepcheck:b"); !ok || v != "2" {
		t.Fatalf("Get after Set = %q, %v", v, ok)
	}
	if _, ok := s.Get("stepcheck:a"); ok {
		t.Fatal("Get found a removed key")
	}
	if len(s.m) != 1 {
		t.Fatalf("storage holds %v", s.m)
	}
}

func TestQueryWaitsForThePagesAnswer(t *testing.T) {
	sent()
	done := make(chan []found)
	go func() { done <- queryAll(document, ".sc-probe", bridge.PropData+"probe") }()
	for queued.Length() == 0 {
		runtime.Gosched()
	}
	id := nextReq
	want := `[["q",` + strconv.Itoa(id) + `,2,".sc-probe","d:probe"]]`
	if got := sent(); got != want {
		t.Fatalf("batch = %s, want %s", got, want)
	}
	receive(js.Null(), msg(bridge.MsgReply, id, []any{[]any{-1, "db"}, []any{-2, "api"}}))
	got := <-done
	if len(got) != 2 || got[0].n != -1 || got[0].str(0) != "db" || got[1].n != -2 || got[1].str(0) != "api" {
		t.Fatalf("found %+v", got)
	}
}

func TestEventsReachTheirListener(t *testing.T) {
	sent()
	var got event
	on(bridge.Body, "input", bridge.Listen{}, func(e event) { got = e })
	id := len(listeners)
	receive(js.Null(), msg(bridge.MsgEvent, id, "typed\x00 with a NUL", true, "a"))
	if got != (event{value: "typed\x00 with a NUL", checked: true, key: "a"}) {
		t.Fatalf("listener got %+v", got)
	}
	receive(js.Null(), msg(bridge.MsgEvent, id)) // a probe's Check now
	if got != (event{}) {
		t.Fatalf("a click with no values gave %+v", got)
	}
	// A message the widgets do not know, for no listener, or short, is
	// ignored.
	for _, m := range [][]js.Value{
		msg(bridge.MsgEvent, 9999), msg(bridge.MsgEvent, "x"), msg("nonsense"), msg(bridge.MsgReply), msg(),
		{js.ValueOf(bridge.MsgEvent), js.ValueOf(id)},
	} {
		receive(js.Null(), m)
	}
}

func TestStorageFollowsOtherTabs(t *testing.T) {
	old := kv
	defer func() { kv = old }()
	kv = &storage{m: map[string]string{}}
	receive(js.Null(), msg(bridge.MsgStorage, "stepcheck:x", "1"))
	if v, _ := kv.Get("stepcheck:x"); v != "1" {
		t.Fatalf("after another tab's change, Get = %q", v)
	}
	receive(js.Null(), msg(bridge.MsgStorage, "stepcheck:x", nil))
	if _, ok := kv.Get("stepcheck:x"); ok {
		t.Fatal("another tab's removal was not seen")
	}
}

func itoa(n node) string { return strconv.Itoa(int(n)) }
