// Command pack builds the page widgets for the browser: it compiles ./wasm
// with GOOS=js GOARCH=wasm under the toolchain go.mod pins, and writes the
// brotli and gzip copies and the matching wasm_exec.js, the files
// wasm/dist commits and embeds. `make wasm` runs it into wasm/dist/files;
// `make check-widgets` runs it into a temporary directory and compares.
//
//	go run ./wasm/dist/pack [-o wasm/dist/files]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/stepcheck/stepcheck/wasm/dist/pack/packer"
)

func main() {
	out := flag.String("o", "wasm/dist/files", "directory to write the widget files into")
	flag.Parse()
	sizes, err := packer.Pack(".", *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
	fmt.Printf("widgets.wasm: %d bytes, %d brotli, %d gzip\n", sizes.Raw, sizes.Brotli, sizes.Gzip)
}
