//go:build !linux

package site

import "errors"

func exchange(a, b string) error { return errors.New("atomic exchange is not supported here") }
