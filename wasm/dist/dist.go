// Package dist embeds the built page widgets (widgets.wasm, precompressed
// copies and wasm_exec.js) into the stepcheck binary, so `stepcheck build`
// ships them without a separate step. `make wasm` fills files/ before the
// binary is compiled; without it the FS holds only a README and the site
// builds without widgets.
package dist

import (
	"embed"
	"io/fs"
)

//go:embed files
var files embed.FS

// Names of the files the build looks for.
const (
	Wasm     = "widgets.wasm"
	WasmExec = "wasm_exec.js"
)

// FS returns the embedded widget files.
func FS() fs.FS {
	sub, err := fs.Sub(files, "files")
	if err != nil {
		panic(err) // fixed at compile time
	}
	return sub
}
