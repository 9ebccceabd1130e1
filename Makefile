# odshare — build, test and demo. `make test` is what CI runs (.ci/run).
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/odshare/odshare/internal/build
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)
PKGS      ?= ./...
GOFILES    = $(shell git ls-files --cached --others --exclude-standard '*.go')
# Go tools the checks run, pinned; make test-deps installs them into $(TOOLS) with go install.
GOLANGCI_LINT_VERSION := v2.15.0
TOOLS     ?= $(or $(ODSHARE_TOOLS_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/odshare/tools)
GOLANGCI_LINT = $(TOOLS)/golangci-lint@$(GOLANGCI_LINT_VERSION)/golangci-lint
# GoReleaser for make packages only (the release; not part of test).
GORELEASER_VERSION := v2.15.1
GORELEASER = $(TOOLS)/goreleaser@$(GORELEASER_VERSION)/goreleaser
export GOLANGCI_LINT_VERSION GOLANGCI_LINT

.PHONY: build test test-deps unit fmt-check vet cross-check generated-check demo completions docs generate lint bench packages clean

## build: static binaries (CGO_ENABLED=0, as the release builds them): nothing to load at exec, so
## a command starts in about 0.8x the time of a dynamically linked one (docs/benchmarks.md).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare ./cmd/odshare
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/odshare-emulator ./cmd/odshare-emulator

## test: the tools the tests run, formatting, vet and golangci-lint, macOS and Windows builds, freshness of generated
## files, then every test (fuzz seed corpora included).
test: test-deps fmt-check lint cross-check generated-check unit

## test-deps: install the commands in .ci/test-deps that are missing (as root, with apt-get), then the
## npm packages locked in the folders of .ci/test-npm (npm ci into ~/.cache/odshare/npm), then
## golangci-lint $(GOLANGCI_LINT_VERSION) (go install into $(TOOLS)); elsewhere say what is missing.
## The tests that need one skip without it, and fail under CI=true.
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

## lint: go vet, then golangci-lint (.golangci.yml): the pinned one make test-deps installs, else one on
## PATH; fails on any finding. Without either it says so (under CI=true it fails). Runs beside another
## golangci-lint on the machine wait for its lock (--allow-serial-runners) instead of failing.
lint: vet
	@bin=$(GOLANGCI_LINT); [ -x "$$bin" ] || bin=$$(command -v golangci-lint || true); \
	if [ -n "$$bin" ]; then echo "golangci-lint run ./..."; "$$bin" run --allow-serial-runners ./...; \
	elif [ "$${CI:-}" = true ]; then echo "golangci-lint $(GOLANGCI_LINT_VERSION) is not installed (make test-deps installs it)"; exit 1; \
	else echo "golangci-lint not installed; ran go vet only (make test-deps installs $(GOLANGCI_LINT_VERSION) into $(TOOLS))"; fi

## packages: the release built as a snapshot into dist/ (GoReleaser $(GORELEASER_VERSION): archives, .deb, .rpm,
## .apk, the Homebrew formula, the Scoop manifest, SBOMs, checksums; nothing published), then the .deb
## installed with dpkg into a throwaway root and the packages' file lists checked (.ci/check-packages.sh).
## Not part of test: GoReleaser takes minutes to build, so it is installed (go install, pinned, into
## $(TOOLS)) on first use here; one on PATH of the same version is used as it is. make test checks
## .goreleaser.yaml statically instead (internal/testutil/packaging_test.go).
packages:
	@bin=$(GORELEASER); \
	if [ ! -x "$$bin" ]; then bin=$$(command -v goreleaser || true); \
		[ -n "$$bin" ] && "$$bin" --version 2>/dev/null | grep -qx "GitVersion: *$(GORELEASER_VERSION)" || bin=; fi; \
	if [ -z "$$bin" ]; then bin=$(GORELEASER); echo "installing goreleaser $(GORELEASER_VERSION) into $(TOOLS) (takes minutes)"; \
		GOBIN=$$(dirname $$bin) $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION) || exit 1; fi; \
	echo "$$bin check && $$bin release --snapshot --clean"; \
	"$$bin" check && "$$bin" release --snapshot --clean && bash .ci/check-packages.sh dist

clean:
	rm -rf bin dist
