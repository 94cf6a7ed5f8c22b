# stepcheck: `make serve` shows the RepairX demo, `make test` runs every test.
GO      ?= go
BIN     := bin/stepcheck
ADDR    ?= 127.0.0.1:1313
FUZZTIME ?= 10s

WASM_DIST := wasm/dist/files/widgets.wasm
WASM_SRC  := $(shell find wasm probe-api/api -name '*.go' -not -path 'wasm/e2e/*' -not -name '*_test.go' 2>/dev/null)

.PHONY: build serve test test-short test-wasm fuzz bench bench-probe lint clean vet stepcheck wasm

## wasm: build the page widgets (embedded into the stepcheck binary)
wasm: $(WASM_DIST)

$(WASM_DIST): $(WASM_SRC)
	$(GO) run ./wasm/dist/pack

stepcheck: $(WASM_DIST)
	$(GO) build -o $(BIN) ./cmd/stepcheck

## build: build the site from content/ into public/
build: stepcheck
	$(BIN) build

## serve: the RepairX demo at http://$(ADDR)/ with live reload: stand-ins for
## the backend and frontend, the local PostgreSQL and Redis checked for real
serve: stepcheck
	$(BIN) serve --demo --addr $(ADDR)

## test: vet, then every test (PostgreSQL, Redis and Chromium tests included)
test: vet test-wasm
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
	GOOS=js GOARCH=wasm $(GO) vet ./wasm ./wasm/form ./wasm/incident ./wasm/status ./wasm/store ./probe-api/api

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

## bench-probe: probe API check-now rate against blackbox_exporter
bench-probe:
	bash .ci/bench-probe

## lint: check content/ and probes without writing anything
lint: stepcheck
	$(BIN) lint

clean:
	rm -rf bin .bench
	find wasm/dist/files -mindepth 1 ! -name README.md -delete
	find public -mindepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
