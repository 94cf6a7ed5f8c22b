# stepcheck: `make serve` shows the RepairX demo, `make test` runs every test.
GO      ?= go
BIN     := bin/stepcheck
ADDR    ?= 127.0.0.1:1313
FUZZTIME ?= 10s

# The page widgets are committed in wasm/dist/files (its README says why) and
# embedded into the binary, so plain `go install` ships them. WASM_SRC is what
# they are built from: every Go file ./wasm compiles (gen/search and
# probe-api/api included), the packer, and go.mod, which pins the toolchain.
WASM_FILES := widgets.wasm.br widgets.wasm.gz wasm_exec.js
WASM_DIST  := wasm/dist/files/widgets.wasm.br
WASM_SRC   := $(shell GOOS=js GOARCH=wasm $(GO) list -deps -f '{{if not .Standard}}{{range .GoFiles}}{{$$.Dir}}/{{.}} {{end}}{{range .EmbedFiles}}{{$$.Dir}}/{{.}} {{end}}{{end}}' ./wasm 2>/dev/null) \
              $(wildcard wasm/dist/pack/*.go wasm/dist/pack/packer/*.go) go.mod go.sum
TOOLCHAIN  := $(shell sed -n 's/^toolchain //p' go.mod)
# staticcheck, pinned, installed into bin/ through the module proxy (a
# host binary, which then checks the widgets' js/wasm build too).
STATICCHECK := bin/staticcheck
PACK       := GOTOOLCHAIN=$(TOOLCHAIN) $(GO) run ./wasm/dist/pack

.PHONY: build serve test test-short test-wasm check-widgets check-mermaid fuzz bench bench-phone bench-probe redteam lint clean vet stepcheck wasm

## wasm: rebuild the page widgets into wasm/dist/files; commit them after
## changing wasm/ (or anything the widgets import)
wasm:
	$(PACK)

$(WASM_DIST): $(WASM_SRC)
	$(PACK)

## check-widgets: fail when the committed widgets differ from a fresh build
## of the source (the packer's output is reproducible byte for byte)
check-widgets:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(PACK) -o "$$tmp" >/dev/null && \
	  for f in $(WASM_FILES); do \
	    cmp -s "$$tmp/$$f" "wasm/dist/files/$$f" || { \
	      echo "widgets are stale: run make wasm and commit wasm/dist/files ($$f differs from a fresh build)" >&2; exit 1; }; \
	  done && echo "widgets are up to date: wasm/dist/files matches a fresh build"

## check-mermaid: the committed Mermaid library is npm's, byte for byte
check-mermaid:
	bash .ci/check-mermaid

stepcheck: $(WASM_DIST)
	$(GO) build -o $(BIN) ./cmd/stepcheck

## build: build the site from content/ into public/
build: stepcheck
	$(BIN) build

## serve: the RepairX demo at http://$(ADDR)/ with live reload: stand-ins for
## the backend and frontend, the local PostgreSQL and Redis checked for real
serve: stepcheck
	$(BIN) serve --demo --addr $(ADDR)

## test: vet, the widgets' freshness and the vendored Mermaid, then every test
## (PostgreSQL, Redis and Chromium tests, and a go install from a clean clone)
test: vet test-wasm check-widgets check-mermaid
	$(GO) test -count=1 ./...

## test-wasm: the widgets' DOM glue under Node, with Go's go_js_wasm_exec
test-wasm:
	PATH="$$($(GO) env GOROOT)/lib/wasm:$$PATH" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/

test-short:
	$(GO) test -short ./...

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm ./wasm/bridge ./wasm/form ./wasm/incident ./wasm/status ./wasm/store ./wasm/widget ./probe-api/api
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	$(STATICCHECK) ./...
	GOOS=js GOARCH=wasm $(STATICCHECK) ./wasm ./wasm/bridge ./wasm/form ./wasm/incident ./wasm/status ./wasm/store ./wasm/widget ./probe-api/api

## fuzz: run each fuzz target for $(FUZZTIME)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## bench: Go benchmarks, then stepcheck against Hugo on the same 450-page corpus
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./gen/...
	bash .ci/bench
	bash .ci/bench-search

## bench-phone: a responder's phone: main-thread long tasks at 4× CPU slowdown
## on each kind of page (RepairX and a 4,750-page site), then Lighthouse
## (npm lighthouse@12.8.2, mobile preset) on the same pages served with brotli
bench-phone:
	bash .ci/bench-phone

## bench-probe: probe API check-now rate against blackbox_exporter
bench-probe:
	bash .ci/bench-probe

## redteam: attack the probe API as a hostile page, client and target would
## (loopback only, bounded: seconds), with a line per scenario; make test
## runs it too
redteam:
	$(GO) test -count=1 -v ./probe-api/redteam/

## lint: check content/ and probes without writing anything
lint: stepcheck
	$(BIN) lint

clean:
	rm -rf bin .bench
	rm -f wasm/dist/files/widgets.wasm  # left there by make wasm before the widgets were committed
	find public -mindepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
