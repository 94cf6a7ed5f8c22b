package devserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHub(t *testing.T) {
	h := NewHub()
	a, cancelA := h.Subscribe("/a/", 0, h.Run)
	defer cancelA()

	h.Built(1, []string{"/a/", "/b/"}, nil, nil)
	assert.Equal(t, Event{Type: "reload", Build: 1, Pages: []string{"/a/", "/b/"}}, <-a)
	h.Built(2, []string{"/b/"}, []string{"/gone/"}, nil)
	assert.Equal(t, Event{Type: "reload", Build: 2, Pages: []string{"/b/", "/gone/"}}, <-a)
	assert.EqualValues(t, 2, h.Build())

	t.Run("a late browser catches up", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			page   string
			build  uint64
			run    string
			reload bool
		}{
			{"its page is unchanged since", "/a/", 1, h.Run, false},
			{"its page changed since", "/b/", 1, h.Run, true},
			{"its page is gone", "/gone/", 1, h.Run, true},
			{"it is up to date", "/b/", 2, h.Run, false},
			{"it comes from an earlier run", "/a/", 2, "earlier", true},
			{"it is a stub from before the first build", "/a/", 0, h.Run, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ch, cancel := h.Subscribe(tc.page, tc.build, tc.run)
				defer cancel()
				if tc.reload {
					assert.Equal(t, Event{Type: "reload", Build: 2, Pages: []string{tc.page}}, <-ch)
				}
				assert.Empty(t, ch)
			})
		}
	})

	h.Failed([]string{"content/a.md:3:1: front matter: bad"})
	failed := Event{Type: "errors", Build: 2, Diagnostics: []string{"content/a.md:3:1: front matter: bad"}}
	assert.Equal(t, failed, <-a)
	late, cancelLate := h.Subscribe("/a/", 2, h.Run)
	assert.Equal(t, failed, <-late, "a browser that connects during a failure sees it")
	cancelLate()
	_, open := <-late
	assert.False(t, open, "cancel ends the subscription")

	h.Built(3, nil, nil, map[string]string{"/assets/style.1.css": "/assets/style.2.css"})
	assert.Equal(t, Event{Type: "reload", Build: 3, Styles: map[string]string{"/assets/style.1.css": "/assets/style.2.css"}}, <-a)
	ch, cancel := h.Subscribe("/a/", 3, h.Run)
	defer cancel()
	assert.Empty(t, ch, "the failure is over")

	h.Close()
	_, open = <-a
	assert.False(t, open)
	closed, _ := h.Subscribe("/a/", 3, h.Run)
	_, open = <-closed
	assert.False(t, open, "subscriptions after Close end at once")
}

func TestHubDropsABrowserThatFallsBehind(t *testing.T) {
	h := NewHub()
	slow, cancel := h.Subscribe("/a/", 0, h.Run)
	defer cancel()
	for i := range 17 {
		h.Built(uint64(i+1), []string{"/b/"}, nil, nil)
	}
	n := 0
	for range slow {
		n++
	}
	require.Equal(t, 16, n, "the buffered events, then the end of the stream")
}
