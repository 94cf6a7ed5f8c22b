package themes

// Mermaid is the default theme's copy of the Mermaid diagram library, as a
// name below static/. Pages with a diagram load it (see static/diagrams.js);
// a build publishes it only when some page has one.
//
// It is the single-file browser build, dist/mermaid.min.js, of the npm
// package mermaid at MermaidVersion (MIT licence, in
// static/vendor/mermaid.min.js.LICENSE.txt), committed byte for byte.
// Beside it are brotli and gzip copies for hosts that serve precompressed
// files; go test ./themes checks that they hold the same bytes. The
// .ci/check-mermaid script packs MermaidVersion from npm, checks the
// tarball against MermaidIntegrity and fails unless the committed file is
// the package's.
//
// To move to another version: copy package/dist/mermaid.min.js from
// `npm pack mermaid@X` over the file, set MermaidVersion and
// MermaidIntegrity (`npm view mermaid@X dist.integrity`), run
// go test ./themes -update to remake the copies and the recorded sum, and
// run .ci/check-mermaid.
const Mermaid = "vendor/mermaid.min.js"

// DiagramScript is the default theme's script, below static/, that loads
// Mermaid on a page with a diagram and draws it.
const DiagramScript = "diagrams.js"

const (
	// MermaidVersion is the npm version of the committed library.
	MermaidVersion = "11.17.2"
	// MermaidIntegrity is the npm integrity of mermaid-MermaidVersion.tgz.
	MermaidIntegrity = "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="
)
