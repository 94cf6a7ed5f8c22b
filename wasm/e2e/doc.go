// Package e2e holds the browser tests of the page widgets: a real site
// built by gen, the real widgets.wasm, the real probe API in-process, and
// Debian's Chromium at a phone viewport, driven by chromedp. Without
// Chromium the tests skip locally and fail under CI=true.
package e2e
