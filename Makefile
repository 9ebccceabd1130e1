# odshare — build, test and demo. `make test` is what CI runs (.ci/run).
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/odshare/odshare/internal/build
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
PKGS      ?= ./...
GOFILES    = $(shell git ls-files --cached --others --exclude-standard '*.go')

.PHONY: build test test-deps unit fmt-check vet cross-check generated-check demo completions docs generate lint bench clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare ./cmd/odshare
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare-emulator ./cmd/odshare-emulator

## test: the tools the tests run, formatting, vet, macOS and Windows builds, freshness of generated files, then every test (fuzz
## seed corpora included).
test: test-deps fmt-check vet cross-check generated-check unit

## test-deps: install the commands in .ci/test-deps that are missing (as root, with apt-get), then the
## npm packages locked in the folders of .ci/test-npm (npm ci into ~/.cache/odshare/npm); elsewhere say
## what is missing. The tests that need one skip without it, and fail under CI=true.
test-deps:
	@bash .ci/test-deps.sh

## unit: every test; then one line naming each test skipped for a missing tool, and why.
unit:
	@echo "$(GO) test -count=1 $(PKGS)"; log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	ODSHARE_TEST_SKIP_LOG="$$log" $(GO) test -count=1 $(PKGS); rc=$$?; \
	if [ -s "$$log" ]; then sort -u "$$log" | awk -F '\t' '$(SKIP_SUMMARY)'; fi; \
	exit $$rc

# One line from the skip log's "TestName<TAB>reason" lines (internal/testutil.Tool writes them).
SKIP_SUMMARY = { s = s (NR > 1 ? "; " : "") $$1 ": " $$2 } END { printf "skipped %d test%s for missing tools: %s. Run make test-deps as root to install them.\n", NR, (NR > 1 ? "s" : ""), s }

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## cross-check: the macOS and Windows builds still compile (the keyring differs per OS); cheap with
## the build cache, nothing is linked.
cross-check:
	GOOS=darwin GOARCH=arm64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) build ./...

generated-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(GO) run ./internal/docgen -root $$tmp && \
	diff -r completions $$tmp/completions && diff -r docs/reference $$tmp/docs/reference && diff -r docs/man $$tmp/docs/man \
	|| { echo "generated files are stale: run 'make generate' and commit"; exit 1; }

## demo: start the emulator, create a link, read the share, list a shared folder.
demo: build
	@bash .ci/demo.sh

generate completions docs:
	$(GO) run ./internal/docgen -root .

## bench: speed and memory targets against the emulator (see docs/benchmarks.md); not part of test.
bench:
	@bash bench/run.sh

## lint: go vet, then golangci-lint v2 (.golangci.yml) when it is installed; fails on any finding.
lint:
	$(GO) vet ./...
	@if command -v golangci-lint >/dev/null 2>&1; then golangci-lint run ./...; \
	else echo "golangci-lint not installed; ran go vet only (go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0)"; fi

clean:
	rm -rf bin dist
