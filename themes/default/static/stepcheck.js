// stepcheck bootstrap: copy buttons on code blocks and templates. It is all a
// page needs before the widgets (WebAssembly) arrive, and all it has when
// they never do.
(function () {
  "use strict";
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  window.stepcheckCopy = copy;
  // The fields of a template still empty: filled in by the widgets, or
  // never, when they have not started. A template is copied anyway (the
  // responder decides), but says which fields it would carry empty.
  function emptyFields(pre) {
    var names = [], spans = pre.querySelectorAll(".sc-field");
    for (var i = 0; i < spans.length; i++) {
      var n = spans[i].getAttribute("data-field");
      var empty = spans[i].classList.contains("sc-empty") || spans[i].textContent === "{{" + n + "}}";
      if (empty && names.indexOf(n) < 0) names.push(n);
    }
    return names;
  }
  function emptyText(names) {
    return names.length ? "Empty: " + names.join(", ") : "";
  }
  function addButton(pre) {
    var code = pre.querySelector("code") || pre;
    // Code scrolls sideways on a phone; keyboards must reach it too.
    pre.tabIndex = 0;
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "copy";
    btn.textContent = "Copy";
    var note = null;
    if (pre.closest(".sc-template")) {
      note = document.createElement("span");
      note.className = "copy-note";
      note.setAttribute("role", "status");
      var update = function () { if (!btn.hasAttribute("data-done")) note.textContent = emptyText(emptyFields(pre)); };
      update();
      new MutationObserver(update).observe(pre, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["class"] });
    }
    btn.addEventListener("click", function () {
      var empty = note ? emptyFields(pre) : [];
      copy(code.textContent).then(function () {
        // The widgets record a template's copy in the incident's timeline.
        var fig = pre.closest(".sc-template"), cap = fig && fig.querySelector("figcaption");
        if (fig) document.dispatchEvent(new CustomEvent("sc-copied", { detail: fig.getAttribute("data-template") + "\n" + (cap ? cap.textContent : "") }));
        btn.textContent = "Copied";
        btn.setAttribute("data-done", "");
        if (empty.length) note.textContent = "Copied with " + empty.length + (empty.length === 1 ? " empty field: " : " empty fields: ") + empty.join(", ");
      }, function () {
        btn.textContent = "Select and copy";
      });
      setTimeout(function () {
        btn.textContent = "Copy";
        btn.removeAttribute("data-done");
        if (note) note.textContent = emptyText(emptyFields(pre));
      }, 2000);
    });
    // The button sits in a bar above the code rather than over it, so it
    // never hides the end of a long command on a narrow screen.
    var bar = document.createElement("div");
    bar.className = "code-bar";
    if (note) bar.appendChild(note);
    bar.appendChild(btn);
    pre.parentNode.insertBefore(bar, pre);
  }
  function init() {
    var pres = document.querySelectorAll(".content pre");
    for (var i = 0; i < pres.length; i++) addButton(pres[i]);
    var tables = document.querySelectorAll(".content table");
    for (var j = 0; j < tables.length; j++) tables[j].tabIndex = 0;
    // The table of contents starts closed so a phone shows the first step
    // at once; a wide screen has room to show it open.
    var toc = document.querySelector(".toc");
    if (toc && window.matchMedia("(min-width: 900px)").matches) toc.open = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  // The widgets (Go compiled to WebAssembly) start after the page has
  // painted, so reading never waits for them; if they fail to load the page
  // stays fully readable. They run in a Web Worker (widgets-worker.js), so
  // neither Go's start nor their work ever holds this thread: what follows
  // is the page's half of their bridge (wasm/bridge). It applies the
  // operations they send, in order, with createElement, textContent, value
  // and setAttribute (never innerHTML), answers their queries, and forwards
  // the events they listen to.
  var PREFIX = "stepcheck:"; // the widgets' localStorage keys (wasm/store)
  function startWidgets() {
    var b = document.body, root = document.documentElement;
    var wasm = b.getAttribute("data-wasm"), exec = b.getAttribute("data-wasm-exec"), src = b.getAttribute("data-wasm-worker");
    if (!wasm || !exec || !src || !window.Worker || !window.WebAssembly) return;
    root.setAttribute("data-widgets-start-ms", Math.round(performance.now()));
    var w;
    try { w = new Worker(src); } catch (e) { root.setAttribute("data-widgets", "failed"); return; }
    var failed = function () { root.setAttribute("data-widgets", "failed"); };
    w.onerror = failed;
    // Handles: the widgets number what they create (16 up), this side what
    // they query (-1 down); 1 to 4 are fixed.
    var nodes = new Map([[1, window], [2, document], [3, root], [4, b]]);
    var handles = new Map([[window, 1], [document, 2], [root, 3], [b, 4]]), next = -1;
    var node = function (h) { return nodes.get(h); }, probes = new Map();
    var el = function (tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text) e.textContent = text;
      return e;
    };
    var handle = function (e) {
      if (!e) return 0;
      var h = handles.get(e);
      if (h === undefined) { h = next--; handles.set(e, h); nodes.set(h, e); }
      return h;
    };
    // A message is a list: its name (wasm/bridge's Msg), then its values.
    var send = function (m) { w.postMessage(m); };
    var prop = function (e, p) {
      if (p === "text") return e.textContent;
      if (p === "parent") return handle(e.parentNode);
      if (p === "ptext") return e.parentNode ? e.parentNode.textContent : "";
      if (p === "name") return e.getAttribute("name") || "";
      var k = p.slice(2), c;
      switch (p.slice(0, 2)) {
        case "d:": return e.dataset[k] || "";
        case "t:": c = e.querySelector(k); return c ? c.textContent : "";
        case "h:": return handle(e.querySelector(k));
        case "s:": c = e.previousElementSibling; return c && c.classList.contains(k) ? handle(c) : 0;
      }
      return null;
    };
    var isField = function (e) { return !!e && /^(INPUT|TEXTAREA|SELECT)$/.test(e.tagName); };
    // A listener's options (bridge.Listen) apply here, inside the event.
    var listen = function (h, id, type, prevent, plain, outside, ask, keys) {
      var out = outside ? node(outside) : null, only = keys ? keys.split(" ") : null;
      node(h).addEventListener(type, function (ev) {
        if (only && only.indexOf(ev.key) < 0) return;
        if (plain && (ev.ctrlKey || ev.metaKey || ev.altKey || isField(document.activeElement))) return;
        if (out && out.contains(ev.target)) return;
        if (ask && !window.confirm(ask)) return;
        if (prevent) ev.preventDefault();
        var t = ev.currentTarget, v = typeof t.value === "string" ? t.value : typeof ev.detail === "string" ? ev.detail : "";
        send(["e", id, v, !!t.checked, ev.key || ""]);
      });
    };
    var ops = {
      n: function (h, tag, cls, text) { nodes.set(h, el(tag, cls, text)); },
      ap: function (p) {
        var e = node(p);
        for (var i = 1; i < arguments.length; i++) e.append(typeof arguments[i] === "string" ? arguments[i] : node(arguments[i]));
      },
      // A form's row: a label and its input, of a field type of
      // wasm/widget (select, long, time, else text).
      fd: function (p, h, type, id, name, label, value) {
        var row = document.createElement("div"), l = document.createElement("label"), e;
        row.className = "sc-row";
        l.textContent = label;
        l.htmlFor = id;
        if (type === "select") {
          e = document.createElement("select");
          e.append(new Option("—", ""));
          for (var i = 7; i < arguments.length; i++) e.append(new Option(arguments[i], arguments[i]));
        } else if (type === "long") {
          e = document.createElement("textarea");
          e.rows = 3;
        } else {
          e = document.createElement("input");
          e.type = type === "time" ? "datetime-local" : "text";
        }
        e.id = id;
        e.name = name;
        e.value = value;
        row.append(l, e);
        node(p).append(row);
        nodes.set(h, e);
      },
      pp: function (p, c) { node(p).prepend(node(c)); },
      ib: function (r, c) { r = node(r); r.parentNode.insertBefore(node(c), r); },
      // A value already there is left alone, so the caret stays.
      p: function (h, k, v) { var e = node(h); if (k !== "value" || e.value !== v) e[k] = v; },
      a: function (h, k, v) { node(h).setAttribute(k, v); },
      d: function (h, k, v) { node(h).dataset[k] = v; },
      c: function (h, k, on) { node(h).classList.toggle(k, on); },
      f: function (h) { node(h).focus(); },
      on: listen,
      q: function (id, r, sel) {
        var found = node(r).querySelectorAll(sel), rows = [];
        for (var i = 0; i < found.length; i++) {
          var row = [handle(found[i])];
          for (var j = 3; j < arguments.length; j++) row.push(prop(found[i], arguments[j]));
          rows.push(row);
        }
        send(["r", id, rows]);
      },
      // A probe's widget: its age line, Check now, the result's detail
      // and the failing conditions, added to the probe's element.
      pr: function (h, id, state, label) {
        var e = node(h), ui = { state: node(state), failed: "" };
        [["meta", "span"], ["btn", "button"], ["detail", "span"], ["failing", "ul"]].forEach(function (s) {
          var c = document.createElement(s[1]);
          c.className = "sc-" + s[0];
          e.append(c);
          ui[s[0]] = c;
        });
        ui.btn.className = "sc-check";
        ui.btn.type = "button";
        ui.btn.textContent = "Check now";
        ui.btn.setAttribute("aria-label", "Check now: " + label);
        ui.failing.hidden = true;
        ui.btn.addEventListener("click", function () { send(["e", id]); });
        probes.set(e, ui);
      },
      ps: function (h, state, badge, detail, busy) {
        var e = node(h), ui = probes.get(e), failing = Array.prototype.slice.call(arguments, 5);
        e.dataset.state = state;
        if (ui.state) ui.state.textContent = badge;
        ui.detail.textContent = detail;
        ui.btn.disabled = busy;
        ui.btn.setAttribute("aria-busy", String(busy));
        ui.btn.textContent = busy ? "Checking…" : "Check now";
        if (ui.failed === failing.join("\n")) return;
        ui.failed = failing.join("\n");
        ui.failing.textContent = "";
        failing.forEach(function (f) { ui.failing.append(el("li", "", f)); });
        ui.failing.hidden = !failing.length;
      },
      pa: function (h, text) { probes.get(node(h)).meta.textContent = text; },
      // The search results: links numbered from the handle first; the
      // previous ones are forgotten. A message stands in for results.
      rs: function (h, first, message) {
        var list = node(h);
        (list.scLinks || []).forEach(function (k) { nodes.delete(k); });
        list.scLinks = [];
        list.textContent = "";
        if (message) list.append(el("li", "results-empty", message));
        for (var i = 3; i + 1 < arguments.length; i += 2) {
          var n = (i - 3) / 2, a = el("a", "", "");
          a.id = "sc-r-" + n;
          a.href = arguments[i];
          a.append(el("span", "r-title", arguments[i + 1]));
          var li = el("li", "", "");
          li.append(a);
          list.append(li);
          nodes.set(first + n, a);
          list.scLinks.push(first + n);
        }
      },
      sn: function (h) {
        var s = el("span", "r-snippet", "");
        for (var i = 1; i + 1 < arguments.length; i += 2) s.append(arguments[i + 1] ? el("mark", "", arguments[i]) : arguments[i]);
        node(h).append(s);
      },
      ls: function (k, v) {
        try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private browsing, full quota */ }
      },
      go: function (u, replace) { if (replace) location.replace(u); else location.href = u; },
      copy: function (t) { copy(t).catch(function () {}); },
      ok: function () {
        root.setAttribute("data-widgets-ready-ms", Math.round(performance.now()));
        root.setAttribute("data-widgets", "ready");
      },
      fail: failed
    };
    w.onmessage = function (m) {
      var batch = m.data;
      if (!Array.isArray(batch)) return;
      for (var i = 0; i < batch.length; i++) {
        var fn = ops[batch[i][0]];
        // One operation on an element that is gone must not stop the rest.
        try { if (fn) fn.apply(null, batch[i].slice(1)); } catch (e) { /* next */ }
      }
    };
    // The widgets' keys of localStorage, as [key, value, …]: a worker has
    // no storage of its own. null when the browser refuses storage.
    var kept = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k.indexOf(PREFIX) === 0) kept.push(k, localStorage.getItem(k));
      }
    } catch (e) { kept = null; }
    var abs = function (u) { return new URL(u, location.href).href; };
    send(["init", abs(exec), abs(wasm), location.pathname, location.search, location.hash, location.origin,
      document.hidden, navigator.onLine, kept]);
    document.addEventListener("visibilitychange", function () { send(["vis", document.hidden]); });
    window.addEventListener("online", function () { send(["net", true]); });
    window.addEventListener("offline", function () { send(["net", false]); });
    window.addEventListener("storage", function (e) {
      if (e.key && e.key.indexOf(PREFIX) === 0) send(["s", e.key, e.newValue]);
    });
  }
  // The service worker keeps the runbooks readable offline. It is checked
  // for updates on every visit, so a new build takes over at the next load.
  function startOffline() {
    var sw = document.body.getAttribute("data-sw");
    if (!sw || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(sw, { scope: document.body.getAttribute("data-base") || "/" })
      .then(function (reg) { reg.update(); })
      .catch(function () { /* offline support is a bonus, never a blocker */ });
  }
  function afterPaint() {
    startOffline();
    (window.requestIdleCallback || function (f) { setTimeout(f, 1); })(startWidgets);
  }
  if (document.readyState === "complete") afterPaint();
  else window.addEventListener("load", afterPaint);
})();
