// stepcheck diagrams: draws the page's Mermaid diagrams. Only a page with a
// diagram has this script. After the page has painted it loads the library
// (named by data-mermaid on this script's tag) and draws each
// figure.sc-diagram from the text of its code, in the colours of the light
// or dark scheme. The code stays on the page: folded under the drawing, or,
// when the library or a diagram fails, in full with the reason above it.
(function () {
  "use strict";
  var me = document.currentScript;
  var lib = me && me.getAttribute("data-mermaid");
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var queue = Promise.resolve();

  function figures() {
    return Array.prototype.slice.call(document.querySelectorAll('figure.sc-diagram[data-diagram="mermaid"]'));
  }
  function source(fig) {
    var code = fig.querySelector("pre code");
    return code ? code.textContent : "";
  }
  // clear removes the figure's drawing and error, but for keep.
  function clear(fig, keep) {
    var old = fig.querySelectorAll(":scope > .sc-diagram-svg, :scope > .sc-diagram-error");
    for (var i = 0; i < old.length; i++) if (old[i] !== keep) old[i].remove();
  }
  function failed(fig, detail) {
    clear(fig);
    fig.setAttribute("data-status", "failed");
    var box = document.createElement("div");
    box.className = "sc-diagram-error";
    var p = document.createElement("p");
    p.textContent = "This diagram could not be drawn; its source is below.";
    box.appendChild(p);
    if (detail) {
      var pre = document.createElement("pre");
      pre.textContent = detail;
      pre.tabIndex = 0; // Mermaid's caret lines scroll sideways; keyboards too
      box.appendChild(pre);
    }
    fig.insertBefore(box, fig.firstChild);
    var folded = fig.querySelector(":scope > details.sc-diagram-src");
    if (folded) folded.open = true;
  }
  function drawn(fig, out) {
    clear(fig, out);
    out.classList.remove("sc-drawing");
    fig.setAttribute("data-status", "drawn");
    // A drawing wider than the column shrinks to 3/4 of its size at most,
    // then scrolls sideways inside its box (see style.css).
    var svg = out.querySelector("svg");
    var box = svg.viewBox && svg.viewBox.baseVal;
    if (box && box.width > 0) svg.style.setProperty("--sc-w", box.width + "px");
    out.tabIndex = 0; // a box that scrolls must take the keyboard too
    if (fig.querySelector(":scope > details.sc-diagram-src")) return;
    var folded = document.createElement("details");
    folded.className = "sc-diagram-src";
    var summary = document.createElement("summary");
    summary.textContent = "Diagram source";
    folded.appendChild(summary);
    while (out.nextSibling) folded.appendChild(out.nextSibling);
    fig.appendChild(folded);
  }
  function draw() {
    var mermaid = window.mermaid;
    var figs = figures();
    if (!mermaid) {
      figs.forEach(function (fig) { failed(fig, "The diagram library did not load."); });
      return Promise.resolve();
    }
    var night = !!(dark && dark.matches);
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: night ? "dark" : "default",
      // The dark theme's edge labels fall short of 4.5:1 contrast on their
      // grey; the page's dark surface gives them plenty.
      themeVariables: night ? { edgeLabelBackground: "#18212b" } : {},
      // A failed diagram is reported next to its code, not drawn as a bomb.
      suppressErrorRendering: true
    });
    // Each diagram is drawn into a new box, hidden until it is done, so a
    // drawing in the old colours stays up while the new one is made.
    var outs = figs.map(function (fig) {
      fig.setAttribute("data-status", "drawing");
      var out = document.createElement("div");
      out.className = "sc-diagram-svg sc-drawing";
      out.textContent = source(fig);
      fig.insertBefore(out, fig.firstChild);
      return out;
    });
    return mermaid.run({ nodes: outs, suppressErrors: true }).catch(function () {}).then(function () {
      return Promise.all(outs.map(function (out) {
        var fig = out.parentNode;
        if (out.querySelector("svg")) {
          drawn(fig, out);
          return null;
        }
        // run reports errors without saying whose; parse names this one's,
        // given the text as run gave it.
        return Promise.resolve().then(function () { return mermaid.parse(source(fig).trim()); }).then(
          function () { failed(fig, ""); },
          function (err) { failed(fig, String((err && err.message) || err)); });
      }));
    });
  }
  function schedule() {
    queue = queue.then(draw).catch(function () {});
  }
  function load() {
    if (!lib || !figures().length) return;
    var s = document.createElement("script");
    s.src = lib;
    s.onload = function () {
      schedule();
      if (dark && dark.addEventListener) dark.addEventListener("change", schedule);
    };
    s.onerror = function () {
      figures().forEach(function (fig) { failed(fig, "The diagram library did not load."); });
    };
    document.head.appendChild(s);
  }
  // After the first paint: reading never waits for the library.
  function afterPaint() {
    requestAnimationFrame(function () { setTimeout(load, 0); });
  }
  if (document.readyState === "complete") afterPaint();
  else window.addEventListener("load", afterPaint);
})();
