// Command stepcheck compiles Markdown incident runbooks into a static site
// whose pages check themselves, and serves the probe API those pages call.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. It parses its own flags from args and returns
// the process exit status; usage errors return 2.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"build":     {"build the site into public/", runBuild},
		"lint":      {"check content and probes without writing anything", runLint},
		"new":       {"write a new page from a scaffold: new runbook <section/name>", runNew},
		"probe-api": {"serve the declared probes over HTTP", runProbeAPI},
		"serve":     {"preview the site with live reload and the probe API", runServe},
	}
}

func main() {
	ctx, stop := notifyContext(syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// interruption is the cause of a context that a signal cancelled.
type interruption struct{ sig syscall.Signal }

func (i interruption) Error() string { return i.sig.String() + " signal received" }

// notifyContext is signal.NotifyContext with the signal itself as the
// cause, so that a command can exit as a shell expects of that signal.
func notifyContext(sigs ...os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			sig, _ := s.(syscall.Signal)
			cancel(interruption{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(context.Canceled) }
}

// signalStatus is the shell's exit status for a process ended by the
// signal that cancelled ctx: 128 plus its number (130 for Ctrl-C, 143 for
// SIGTERM); 130 when ctx ended otherwise.
func signalStatus(ctx context.Context) int {
	var i interruption
	if errors.As(context.Cause(ctx), &i) && i.sig > 0 {
		return 128 + int(i.sig)
	}
	return 130
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		return 2
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "stepcheck: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: stepcheck <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'stepcheck <command> -h' for a command's flags.")
}
