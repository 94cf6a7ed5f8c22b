// stepcheck serve: live reload and the error overlay. The dev server adds
// this script to every page it serves; a production build never has it.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var build = me.getAttribute("data-build") || "0";
  var run = me.getAttribute("data-run") || "";
  var stub = me.hasAttribute("data-stub");
  var here = location.pathname.replace(/index\.html$/, "");
  var scrollKey = "stepcheck-serve-scroll:" + here;

  // Put the page back where the writer was reading before the reload.
  var saved = null;
  try { saved = sessionStorage.getItem(scrollKey); sessionStorage.removeItem(scrollKey); } catch (e) { saved = null; }
  if (saved !== null) {
    var y = parseFloat(saved) || 0;
    if ("scrollRestoration" in history) history.scrollRestoration = "manual";
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
    else restore();
    window.addEventListener("load", restore);
    // The widgets add forms and bars after load, as they did before the
    // reload when the position was saved: restore once more when they are in.
    var root = document.documentElement;
    if (window.MutationObserver && root.getAttribute("data-widgets") !== "ready") {
      var seen = new MutationObserver(function () {
        if (root.getAttribute("data-widgets") === "ready") { seen.disconnect(); restore(); }
      });
      seen.observe(root, { attributes: true, attributeFilter: ["data-widgets"] });
    }
  }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) { /* private mode */ }
    location.reload();
  }

  // Each old stylesheet URL becomes its new one, without a reload.
  function swapStyles(styles) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (Object.prototype.hasOwnProperty.call(styles, href)) links[i].setAttribute("href", styles[href]);
    }
  }

  var overlay = null;
  function hideOverlay() {
    if (overlay) { overlay.parentNode.removeChild(overlay); overlay = null; }
    document.documentElement.removeAttribute("data-serve-errors");
  }
  // The diagnostics go into text nodes only: they quote the writer's
  // Markdown, which may hold anything.
  function showOverlay(diagnostics) {
    hideOverlay();
    overlay = document.createElement("section");
    overlay.id = "sc-dev-overlay";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-labelledby", "sc-dev-overlay-title");
    var title = document.createElement("h2");
    title.id = "sc-dev-overlay-title";
    var n = diagnostics.length;
    title.textContent = "The build failed: " + n + (n === 1 ? " problem" : " problems");
    var note = document.createElement("p");
    note.textContent = "This is the last good page. It updates when you save a fix.";
    var list = document.createElement("ol");
    for (var i = 0; i < n; i++) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = diagnostics[i];
      li.appendChild(code);
      list.appendChild(li);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", hideOverlay);
    overlay.appendChild(title);
    overlay.appendChild(note);
    overlay.appendChild(list);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
    document.documentElement.setAttribute("data-serve-errors", String(n));
  }

  var url = me.getAttribute("data-events") + "?page=" + encodeURIComponent(here) +
    "&build=" + encodeURIComponent(build) + "&run=" + encodeURIComponent(run);
  var source = new EventSource(url);
  source.onopen = function () { document.documentElement.setAttribute("data-serve", "connected"); };
  source.onmessage = function (m) {
    var ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    if (ev.type === "errors") {
      showOverlay(ev.diagnostics || []);
      return;
    }
    if (ev.type !== "reload") return;
    hideOverlay();
    if (ev.styles) {
      swapStyles(ev.styles);
      return;
    }
    if (stub || (ev.pages || []).indexOf(here) >= 0) reload();
  };
  window.addEventListener("pagehide", function () { source.close(); });
})();
