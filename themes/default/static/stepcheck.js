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
  // stays fully readable.
  function startWidgets() {
    var b = document.body, wasm = b.getAttribute("data-wasm"), exec = b.getAttribute("data-wasm-exec");
    if (!wasm || !exec || !window.WebAssembly) return;
    // Every page loads the widgets: search lives in them too.
    var root = document.documentElement;
    root.setAttribute("data-widgets-start-ms", Math.round(performance.now()));
    var s = document.createElement("script");
    s.src = exec;
    s.onload = function () {
      var go = new window.Go();
      var slow = function () {
        return fetch(wasm).then(function (r) { return r.arrayBuffer(); })
          .then(function (buf) { return WebAssembly.instantiate(buf, go.importObject); });
      };
      var load = WebAssembly.instantiateStreaming
        ? WebAssembly.instantiateStreaming(fetch(wasm), go.importObject).catch(slow)
        : slow();
      load.then(function (r) { go.run(r.instance); })
        .catch(function () { root.setAttribute("data-widgets", "failed"); });
    };
    s.onerror = function () { root.setAttribute("data-widgets", "failed"); };
    document.head.appendChild(s);
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
