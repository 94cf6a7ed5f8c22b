package content

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLOf(t *testing.T) {
	for _, tc := range []struct{ rel, want string }{
		{"", "/"},
		{"procedures/Database", "/procedures/database/"},
		{"Procedures/Disk Full", "/procedures/disk-full/"},
		{"ops/what?", "/ops/what/"},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			assert.Equal(t, tc.want, URLOf(tc.rel))
		})
	}
}
