// Package bridge is the wire between the widgets, which run in a Web Worker,
// and the page, whose DOM only the main thread may touch.
//
// The worker never blocks the page: everything the widgets compute (probe
// results, templates, the incident clock, search) happens off the main
// thread, and what should change on the page travels as a batch of
// operations, one message per turn of the worker's event loop. The page's
// half (themes/default/static/stepcheck.js) applies them in order with
// createElement, textContent, value and setAttribute, never innerHTML, and
// sends back events and the answers to queries.
//
// An operation is a list whose first element names it (the Op constants)
// and whose others are strings, numbers, booleans or element handles. The
// worker script (themes/default/static/widgets-worker.js) collects them as
// the widgets call scOp, and posts the turn's list once, by structured
// clone: the widgets encode nothing, which keeps them small. A handle is a
// number: the worker numbers the elements it creates from FirstNew up, the
// page numbers those the worker queried from -1 down, and the page itself is
// the fixed handles Window, Document, Root and Body. Handles let the worker
// refer to elements without a round trip for each one it makes.
//
// The messages from the page are lists too, their first element one of the
// Msg constants; the worker script passes them to the widgets as ten
// arguments, undefined after the message's own.
package bridge

// Node is a handle to an element of the page.
type Node int

// The page's fixed handles.
const (
	None     Node = 0
	Window   Node = 1
	Document Node = 2
	Root     Node = 3 // document.documentElement
	Body     Node = 4
	FirstNew Node = 16
)

// The operations, as the page's half reads them.
const (
	OpNew     = "n"  // handle, tag, class, text: createElement
	OpAppend  = "ap" // parent, children…: append (a string child is a text node)
	OpField   = "fd" // parent, handle, type (widget.Type*), id, name, label, value, options…: a row with a label and its input
	OpPrepend = "pp" // parent, child: prepend
	OpBefore  = "ib" // reference, child: insert child before reference
	OpProp    = "p"  // handle, name, value: a property (textContent, value, hidden…)
	OpAttr    = "a"  // handle, name, value: setAttribute
	OpData    = "d"  // handle, key, value: dataset
	OpClass   = "c"  // handle, class, on: classList.toggle
	OpFocus   = "f"  // handle
	OpListen  = "on" // handle, listener, event type, then Listen's fields in order (Keys joined by spaces)
	OpQuery   = "q"  // request, root, selector, properties…: answered with MsgReply
	// A probe's widget, added to the probe's element h (widget.SelProbe):
	// OpProbe h, listener (Check now), state handle, label makes it;
	// OpProbeState h, state, badge, detail, busy, failing… shows a result;
	// OpProbeAge h, text shows its age.
	OpProbe      = "pr"
	OpProbeState = "ps"
	OpProbeAge   = "pa"
	// OpResults list, first handle, then URL and title of each result:
	// the search results, as links numbered from the first handle (the
	// page forgets the previous ones). OpSnippet link, then text and
	// whether it matched, per segment: a result's snippet.
	OpResults  = "rs"
	OpSnippet  = "sn"
	OpStore    = "ls"   // key, value or null: localStorage
	OpNavigate = "go"   // URL, replace: location.replace or location.href
	OpCopy     = "copy" // text: to the clipboard
	OpReady    = "ok"   // the widgets are ready (the page stamps the time)
)

// The messages from the page, and what follows the name in each.
const (
	MsgInit    = "init" // exec and wasm URLs, path, search, hash, origin, hidden, online, storage ([key, value, …] or null)
	MsgEvent   = "e"    // listener, value, checked, key
	MsgReply   = "r"    // request, rows: [handle, property…] per element found
	MsgVisible = "vis"  // hidden
	MsgNetwork = "net"  // online
	MsgStorage = "s"    // key, value or null: another tab changed localStorage
)

// The properties a query can read from each element it finds, besides the
// element's own handle. The page's half knows each of them.
const (
	PropText       = "text"   // textContent
	PropParent     = "parent" // the parent's handle
	PropParentText = "ptext"  // the parent's textContent
	PropName       = "name"   // the name attribute (of an input)
)

// Prefixes of properties that name something: PropData+key reads a dataset
// key, PropTextOf+sel the textContent of the first element below matching
// sel ("" when there is none), PropNodeOf+sel its handle (0 when there is
// none), and PropPrevWith+class the handle of the previous sibling if it
// has class (0 otherwise). They are constants, so a query's properties are
// too.
const (
	PropData     = "d:"
	PropTextOf   = "t:"
	PropNodeOf   = "h:"
	PropPrevWith = "s:"
)

// Listen are a listener's options. The page applies them on the main
// thread, synchronously, so that preventDefault and confirm happen inside
// the event, and only what passes reaches the worker.
type Listen struct {
	Prevent bool   // call preventDefault on what is forwarded
	Plain   bool   // only without Ctrl, Meta or Alt, and not while a field has the focus
	Outside Node   // only when the event's target is outside this element
	Confirm string // ask first; forward only when the reader agrees
	Keys    string // forward only these keys (keydown), separated by spaces; "" is any
}
