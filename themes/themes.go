// Package themes embeds the default theme, so a site without a themes/
// directory of its own (a Hugo repository, a plain Markdown folder) still
// builds.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed default
var files embed.FS

// Default returns the default theme: layouts/ (html/template) and static/.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		panic(err) // the embedded tree is fixed at compile time
	}
	return sub
}
