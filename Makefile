# odshare — build, test and demo. `make test` is what CI runs (.ci/run).
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/odshare/odshare/internal/build
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
GOFILES    = $(shell git ls-files --cached --others --exclude-standard '*.go')

.PHONY: build test unit fmt-check vet generated-check demo completions docs generate lint bench clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare ./cmd/odshare
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare-emulator ./cmd/odshare-emulator

## test: formatting, vet, freshness of generated files, then every test (fuzz seed corpora included).
test: fmt-check vet generated-check unit

unit:
	$(GO) test -count=1 ./...

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

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

lint:
	$(GO) vet ./...
	@command -v golangci-lint >/dev/null && golangci-lint run ./... || echo "golangci-lint not installed; ran go vet only"

clean:
	rm -rf bin dist
