package main

import (
	"os"
	"testing"

	"github.com/stepcheck/stepcheck/probe-api/config"
)

// BenchmarkCheckProbes is what each build, lint and serve rebuild adds for
// the probe types' own checks of the RepairX catalogue.
func BenchmarkCheckProbes(b *testing.B) {
	data, err := os.ReadFile("../../content/probes.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cat, _ := config.Parse("content/probes.yaml", data, nil)
	for b.Loop() {
		if err := checkProbes(cat); err != nil {
			b.Fatal(err)
		}
	}
}
