package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// shutdown says how serveUntilCancelled ends a server once its context is
// cancelled.
type shutdown struct {
	// before runs first, for what would hold Shutdown open (serve's
	// live-reload streams).
	before func()
	// drain is how long requests in flight get to finish.
	drain time.Duration
	// overrun runs when drain was not enough: it stops the work in flight
	// so that it answers (probe-api's checks answer unknown).
	overrun func()
	// flush is how long those last answers get to go out after overrun.
	flush time.Duration
}

// serveUntilCancelled serves hs on ln until ctx is cancelled, then shuts
// down as sd says. It returns the error that ended serving before that, or
// nil. Both long-running commands end this way, so Ctrl-C and SIGTERM mean
// the same to both.
func serveUntilCancelled(ctx context.Context, hs *http.Server, ln net.Listener, sd shutdown) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var served error
	select {
	case served = <-errc:
	case <-ctx.Done():
	}
	if sd.before != nil {
		sd.before()
	}
	sctx, cancel := context.WithTimeout(context.Background(), sd.drain)
	err := hs.Shutdown(sctx)
	cancel()
	if err != nil {
		if sd.overrun != nil {
			sd.overrun()
		}
		fctx, cancel := context.WithTimeout(context.Background(), sd.flush)
		defer cancel()
		if hs.Shutdown(fctx) != nil {
			hs.Close()
		}
	}
	if errors.Is(served, http.ErrServerClosed) {
		return nil
	}
	return served
}

// closers is what a command opened, closed in reverse order at its end:
// a server before the registry whose pools it uses, that before Redis.
type closers []func() error

// add keeps close for closeAll.
func (c *closers) add(close func() error) { *c = append(*c, close) }

// closeAll closes everything added, last first. Errors are dropped: the
// command is ending, and what failed to close is gone with the process.
func (c *closers) closeAll() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
	*c = nil
}

// usageError is a command-line mistake: the command prints it and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode maps what a command's step returned to its exit status: 0 for
// nil and for -h, 2 for a usage error, 1 for anything else. It prints err,
// prefixed with the command's name, unless the flag package already did.
func exitCode(name string, err error, stderr io.Writer) int {
	var usage usageError
	var cat catalogueError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &cat):
		fmt.Fprintln(stderr, cat.err)
		return 1
	case errors.Is(err, errFlagParse):
		return 2
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "stepcheck %s: %s\n", name, usage.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "stepcheck %s: %v\n", name, err)
		return 1
	}
}

// catalogueError is a catalogue's problems, printed as they are (each
// path:line:col: message) rather than after the command's name.
type catalogueError struct{ err error }

func (e catalogueError) Error() string { return e.err.Error() }

// errFlagParse marks a flag error that the flag package has printed.
var errFlagParse = errors.New("flag error")

// parseFlags parses args into fs and refuses arguments beyond the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlagParse
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
