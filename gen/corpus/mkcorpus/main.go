// Command mkcorpus writes the benchmark corpus: go run ./gen/corpus/mkcorpus -o DIR -n 450.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/stepcheck/stepcheck/gen/corpus"
)

func main() {
	out := flag.String("o", "", "directory to write the site into")
	n := flag.Int("n", 450, "number of runbook pages")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: mkcorpus -o DIR [-n 450]")
		os.Exit(2)
	}
	if err := corpus.Write(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "mkcorpus:", err)
		os.Exit(1)
	}
}
