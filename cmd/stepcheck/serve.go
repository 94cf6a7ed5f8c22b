package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/stepcheck/stepcheck/gen/catalog"
	"github.com/stepcheck/stepcheck/gen/content"
	"github.com/stepcheck/stepcheck/gen/devserver"
	"github.com/stepcheck/stepcheck/gen/devserver/demo"
	"github.com/stepcheck/stepcheck/gen/diag"
	"github.com/stepcheck/stepcheck/gen/site"
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
	fs := newFlagSet("serve", stderr)
	source := fs.String("source", ".", "site root holding stepcheck.yaml, content/ and themes/")
	fs.StringVar(source, "s", ".", "shorthand for --source")
	addr := fs.String("addr", "127.0.0.1:1313", "listen `address`")
	drafts := fs.Bool("drafts", false, "include pages marked draft: true")
	public := fs.String("public-origin", "", "comma-separated `origins` at which others reach this server (e.g. http://preview.example.com:1313); requests naming another host than these, an IP address or localhost get 421")
	userHdr := fs.String("user-header", "", "`header` in which an authenticating proxy passes the user; each check request is then logged with it")
	demoMode := fs.Bool("demo", false, "start stand-ins for the RepairX backend and frontend, and point the probes at them and at the local PostgreSQL and Redis")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "stepcheck serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	if err := server.CheckOrigins(splitList(*public)...); err != nil {
		fmt.Fprintf(stderr, "stepcheck serve: --public-origin: %v\n", err)
		return 2
	}

	lookup := os.LookupEnv
	banner := ""
	if *demoMode {
		svc, err := demo.Start()
		if err != nil {
			fmt.Fprintf(stderr, "stepcheck serve: %v\n", err)
			return 1
		}
		defer svc.Close()
		lookup = svc.Lookup(os.LookupEnv)
		banner = demoBanner
		fmt.Fprintf(stdout, "Demo: RepairX backend stand-in at %s, frontend at %s\n", svc.Backend, svc.Frontend)
	}

	// The probe API, in-process. A broken catalogue does not stop serve: its
	// problems show in the page until probes.yaml is fixed.
	cat, apiDiags := loadCatalogue(*source, lookup)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	redischeck.SetLogger(logger) // go-redis's logger is process-wide; see its doc
	// The same limits as probe-api: the pages may be reached from a
	// network, and the probes are real.
	apiOpts := server.Options{Cache: server.DefaultCache, Logger: logger,
		Rate: server.DefaultRate, Burst: server.DefaultBurst,
		PublicOrigins: splitList(*public), UserHeader: *userHdr}
	if *userHdr != "" {
		apiOpts.Audit = slog.New(slog.NewTextHandler(stderr, nil))
	}
	api, err := server.New(cat, apiOpts)
	if err != nil {
		// Every probe of a parsed catalogue builds unless the registry
		// rejects it; serve on without probes, and say why.
		apiDiags = append(apiDiags, catalogueDiagnostics(err)...)
		if api, err = server.New(&config.Catalogue{Path: catalogueFile}, apiOpts); err != nil {
			fmt.Fprintf(stderr, "stepcheck serve: %v\n", err)
			return 1
		}
	}
	defer api.Close()
	reload := func(changed []string) []diag.Diagnostic {
		if changed == nil || !(slices.Contains(changed, catalogueFile) || slices.Contains(changed, ".")) {
			return apiDiags
		}
		cat, ds := loadCatalogue(*source, lookup)
		if len(ds) == 0 {
			if err := api.SetCatalogue(cat); err != nil {
				ds = catalogueDiagnostics(err)
			} else {
				fmt.Fprintf(stdout, "%s: the probe API reloaded %d probes\n", catalogueFile, len(cat.Probes))
			}
		}
		apiDiags = ds
		return apiDiags
	}

	srv := devserver.New(devserver.Options{
		Site:   site.Options{Source: *source, Drafts: *drafts, Widgets: dist.FS()},
		API:    api.Handler(),
		Banner: banner,
		Log:    stdout,
		Reload: reload,
	})
	srv.Rebuild(ctx, nil)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "stepcheck serve: %v\n", err)
		return 1
	}
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	stopped, err := srv.Watch(watchCtx)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "stepcheck serve: %v\n", err)
		return 1
	}
	hs := &http.Server{
		// The pages answer only the hosts the API does: a DNS-rebinding
		// page could otherwise read drafts.
		Handler:           api.GuardHost(srv.Handler()),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Serving %s at http://%s/ with live reload (Ctrl-C to stop)\n", *source, ln.Addr())

	code := 0
	select {
	case <-ctx.Done():
	case err := <-errc:
		fmt.Fprintf(stderr, "stepcheck serve: %v\n", err)
		code = 1
	}
	// Stop watching first: that ends the live-reload streams, which would
	// otherwise hold Shutdown open.
	stopWatching()
	<-stopped
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	fmt.Fprintln(stdout, "Stopped")
	return code
}

// catalogueFile is the probe catalogue below the site root, as diagnostics
// and watch events name it.
var catalogueFile = path.Join(content.Dir, catalog.FileName)

// loadCatalogue reads the probe API's catalogue, expanding ${VAR} with
// lookup. A site without one gets an empty catalogue; a broken one gets an
// empty catalogue and the problems as diagnostics.
func loadCatalogue(source string, lookup config.LookupEnv) (*config.Catalogue, []diag.Diagnostic) {
	empty := &config.Catalogue{Path: catalogueFile}
	data, err := os.ReadFile(filepath.Join(source, filepath.FromSlash(catalogueFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, []diag.Diagnostic{{Path: catalogueFile, Line: 1, Col: 1, Message: err.Error()}}
	}
	cat, err := config.Parse(catalogueFile, data, lookup)
	if err != nil {
		return empty, catalogueDiagnostics(err)
	}
	return cat, nil
}

// catalogueDiagnostics turns the probe API's catalogue errors into
// diagnostics, one per problem.
func catalogueDiagnostics(err error) []diag.Diagnostic {
	var out []diag.Diagnostic
	var walk func(error)
	walk = func(err error) {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range joined.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *config.Error
		if errors.As(err, &ce) {
			out = append(out, diag.Diagnostic{Path: ce.Path, Line: ce.Line, Col: ce.Col, Message: ce.Msg})
			return
		}
		out = append(out, diag.Diagnostic{Path: catalogueFile, Line: 1, Col: 1, Message: err.Error()})
	}
	walk(err)
	return out
}
