package main

import (
	"context"
	"fmt"
	"io"
)

// runProbeAPI is replaced by the probe-api work (issue 3).
func runProbeAPI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "stepcheck probe-api: not built yet")
	return 1
}
