package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/stepcheck/stepcheck/gen/devserver"
	"github.com/stepcheck/stepcheck/gen/devserver/demo"
	"github.com/stepcheck/stepcheck/gen/site"
	"github.com/stepcheck/stepcheck/probe-api/check"
	"github.com/stepcheck/stepcheck/probe-api/check/builtin"
	"github.com/stepcheck/stepcheck/probe-api/check/redischeck"
	"github.com/stepcheck/stepcheck/probe-api/config"
	"github.com/stepcheck/stepcheck/probe-api/server"
	"github.com/stepcheck/stepcheck/wasm/dist"
)

// demoBanner is shown at the top of every page in --demo.
const demoBanner = "Demo: stand-ins play the RepairX backend and frontend. " +
	"Anything else that is not running on this machine shows as down."

// runServe builds the site into memory, serves it with live reload and the
// probe API on one origin, and rebuilds on every save until ctx is
// cancelled (Ctrl-C).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := &serveCommand{stdout: stdout, stderr: stderr}
	defer c.close()
	err := c.parse(args)
	if err == nil {
		err = c.open()
	}
	if err == nil {
		err = c.run(ctx)
	}
	return exitCode("serve", err, stderr)
}

// serveCommand is stepcheck serve: parse reads the flags, open starts the
// demo stand-ins, the probe API and the dev server, run serves until
// cancelled, close releases what open made.
type serveCommand struct {
	stdout, stderr io.Writer
	flags          struct {
		source, addr, public, userHeader string
		drafts, demo                     bool
	}

	reg     *check.Registry
	api     *server.Server
	dev     *devserver.Server
	ln      net.Listener
	closers closers
}

func (c *serveCommand) parse(args []string) error {
	fs := newFlagSet("serve", c.stderr)
	f := &c.flags
	fs.StringVar(&f.source, "source", ".", "site root holding stepcheck.yaml, content/ and themes/")
	fs.StringVar(&f.source, "s", ".", "shorthand for --source")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:1313", "listen `address`")
	fs.BoolVar(&f.drafts, "drafts", false, "include pages marked draft: true")
	fs.StringVar(&f.public, "public-origin", "", "comma-separated `origins` at which others reach this server (e.g. http://preview.example.com:1313); requests naming another host than these, an IP address or localhost get 421")
	fs.StringVar(&f.userHeader, "user-header", "", "`header` in which an authenticating proxy passes the user; each check request is then logged with it")
	fs.BoolVar(&f.demo, "demo", false, "start stand-ins for the RepairX backend and frontend, and point the probes at them and at the local PostgreSQL and Redis")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := server.CheckOrigins(splitList(f.public)...); err != nil {
		return usagef("--public-origin: %v", err)
	}
	return nil
}

// open starts everything serve runs. The probe API starts with no probes:
// the dev server hands it content/probes.yaml on the first build, and
// again on every save of it, and shows its problems in the page.
func (c *serveCommand) open() error {
	env, banner := os.LookupEnv, ""
	if c.flags.demo {
		svc, err := demo.Start()
		if err != nil {
			return err
		}
		c.closers.add(svc.Close)
		env, banner = svc.Lookup(os.LookupEnv), demoBanner
		fmt.Fprintf(c.stdout, "Demo: RepairX backend stand-in at %s, frontend at %s\n", svc.Backend, svc.Frontend)
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	redischeck.SetLogger(logger) // go-redis's logger is process-wide; see its doc
	opts := server.Options{Cache: server.DefaultCache, Logger: logger,
		// The same limits as probe-api: the pages may be reached from a
		// network, and the probes are real.
		Rate: server.DefaultRate, Burst: server.DefaultBurst,
		PublicOrigins: splitList(c.flags.public), UserHeader: c.flags.userHeader}
	if c.flags.userHeader != "" {
		opts.Audit = slog.New(slog.NewTextHandler(c.stderr, nil))
	}
	c.reg = builtin.New()
	c.closers.add(c.reg.Close)
	var err error
	if c.api, err = server.New(c.reg, &config.Catalogue{Path: devserver.CatalogueFile}, opts); err != nil {
		return err
	}
	c.closers.add(c.api.Close)
	c.dev = devserver.New(devserver.Options{
		Site:   site.Options{Source: c.flags.source, Drafts: c.flags.drafts, Widgets: dist.FS(), CheckProbes: checkProbes},
		API:    c.api,
		Env:    env,
		Banner: banner,
		Log:    c.stdout,
	})
	if c.ln, err = net.Listen("tcp", c.flags.addr); err != nil {
		return err
	}
	c.closers.add(c.ln.Close) // harmless once Serve has closed it
	return nil
}

func (c *serveCommand) run(ctx context.Context) error {
	c.dev.Rebuild(ctx, nil)
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	stopped, err := c.dev.Watch(watchCtx)
	if err != nil {
		return err
	}
	hs := &http.Server{
		// The pages answer only the hosts the API does: a DNS-rebinding
		// page could otherwise read drafts.
		Handler:           c.api.GuardHost(c.dev.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(c.stderr, nil), slog.LevelError),
	}
	fmt.Fprintf(c.stdout, "Serving %s at http://%s/ with live reload (Ctrl-C to stop)\n", c.flags.source, c.ln.Addr())
	err = serveUntilCancelled(ctx, hs, c.ln, shutdown{
		// Stop watching first: that ends the live-reload streams, which
		// would otherwise hold Shutdown open.
		before: func() { stopWatching(); <-stopped },
		drain:  5 * time.Second,
		flush:  time.Second,
	})
	fmt.Fprintln(c.stdout, "Stopped")
	return err
}

// close releases what open made, last first: the listener, the probe API
// (its runs), the registry (its pools), the stand-ins.
func (c *serveCommand) close() { c.closers.closeAll() }
