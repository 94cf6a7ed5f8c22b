package devserver

import (
	"testing"
	"testing/fstest"
)

func TestMemFS(t *testing.T) {
	m := newMemFS(map[string][]byte{
		"index.html":                     []byte("home"),
		"procedures/index.html":          []byte("section"),
		"procedures/database/index.html": []byte("page"),
		"assets/style.0123456789.css":    []byte("body{}"),
	})
	if err := fstest.TestFS(m, "index.html", "procedures/index.html", "procedures/database/index.html", "assets/style.0123456789.css"); err != nil {
		t.Fatal(err)
	}
}
