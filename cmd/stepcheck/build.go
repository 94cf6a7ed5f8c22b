package main

import (
	"context"
	"fmt"
	"io"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stepcheck build: not built yet")
	return 1
}

func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stepcheck lint: not built yet")
	return 1
}
