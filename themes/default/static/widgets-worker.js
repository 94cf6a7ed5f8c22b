// stepcheck widgets worker: the page widgets (Go compiled to WebAssembly)
// run here, in a Web Worker, so that Go's start, search, the templates and
// the incident clock never hold the page's main thread. The worker has no
// DOM: the widgets send what should change on the page as operations
// (wasm/bridge), posted together once per turn, and the page (stepcheck.js)
// sends back events, the answers to queries and what it knows (location,
// visibility, the widgets' localStorage).
"use strict";
var inbox = [], deliver = null, batch = [], started = false;

// The Go side calls scReady with its message handler once it runs, and
// scOp for each operation. The first operation of a turn schedules the
// post, at the end of the turn. A message is a list, its name first; Go
// gets it as ten arguments, undefined after the message's own.
function give(m) {
  deliver(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9]);
}
self.scReady = function (fn) {
  deliver = fn;
  inbox.splice(0).forEach(give);
};
self.scOp = function () {
  if (batch.push(Array.prototype.slice.call(arguments)) === 1) {
    Promise.resolve().then(function () {
      var b = batch;
      batch = [];
      postMessage(b);
    });
  }
};

function fail(err) {
  postMessage([["fail", String(err && err.message || err)]]);
}

function start(m) {
  started = true;
  try {
    importScripts(m.exec);
  } catch (e) {
    fail(e);
    return;
  }
  var go = new self.Go();
  var slow = function () {
    return fetch(m.wasm).then(function (r) { return r.arrayBuffer(); })
      .then(function (buf) { return WebAssembly.instantiate(buf, go.importObject); });
  };
  var load = WebAssembly.instantiateStreaming
    ? WebAssembly.instantiateStreaming(fetch(m.wasm), go.importObject).catch(slow)
    : slow();
  load.then(function (r) { return go.run(r.instance); }).catch(fail);
}

// A message is a list: its name (bridge.Msg*), then its values.
self.onmessage = function (e) {
  var m = e.data;
  if (!Array.isArray(m)) return;
  if (m[0] === "init" && !started) start({ exec: m[1], wasm: m[2] });
  if (deliver) give(m);
  else inbox.push(m);
};
