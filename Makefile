# teko build, test and release entry points. `make help` lists them.

GO          ?= go
PREFIX      ?= /usr/local
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS     := -s -w -X github.com/teko-dev/teko/plugin.Version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
CROSS       := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64 freebsd/amd64 freebsd/arm64

.PHONY: all build demo test lint cross bench bench-check-log bench-check-procs fuzz soak help

all: build

## build: every plugin binary (and the examples) into ./bin
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ ./plugins/cmd/... ./examples/...

## demo: build, then run check-log over the bundled sample log
demo: build
	./bin/check-log --file testdata/sample/app.log --pattern 'ERROR|FATAL' --check-first --no-state --return; \
		echo "(exit status $$?: 2 means CRITICAL, as lines matched)"

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## lint: gofmt, go vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files --others --exclude-standard '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## cross: compile everything for linux, darwin, windows and freebsd on amd64 and arm64
cross:
	@for p in $(CROSS); do \
		echo "build $$p"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build ./... || exit 1; \
	done

## bench: Go benchmarks of every package (short)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-check-log: check-log against grep on a generated log (LOG_SIZE_MB to shrink it)
bench-check-log:
	plugins/checklog/bench/bench.sh

## bench-check-procs: check-procs against pgrep with 5,000 extra processes
bench-check-procs:
	plugins/checkprocs/bench/bench.sh

## fuzz: every fuzz target for FUZZTIME each (default 1m); CI runs scripts/fuzz-smoke.sh (3s each)
fuzz:
	FUZZTIME=$${FUZZTIME:-1m} scripts/fuzz-smoke.sh

## soak: the check-log soak test for TEKO_SOAK_DURATION per rotation style (default 3m)
soak:
	TEKO_SOAK_DURATION=$${TEKO_SOAK_DURATION:-3m} $(GO) test -race -count=1 -v -run '^TestSoak' -timeout 30m ./soak

help:
	@grep -h '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

# Installing and packaging (packaging/). DESTDIR stages an install.
BINDIR      ?= $(PREFIX)/bin
PLUGINS     := $(filter-out teko,$(patsubst plugins/cmd/%/main.go,%,$(wildcard plugins/cmd/*/main.go)))

.PHONY: install install-multicall dist deb startup-bench

## install: every plugin as its own binary into $(DESTDIR)$(PREFIX)/bin (PREFIX=/usr/local)
install:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ ./plugins/cmd/...
	install -d "$(DESTDIR)$(BINDIR)"
	@for p in $(PLUGINS); do \
		echo "install $(DESTDIR)$(BINDIR)/$$p"; \
		rm -f "$(DESTDIR)$(BINDIR)/$$p" && install -m 0755 "bin/$$p" "$(DESTDIR)$(BINDIR)/$$p" || exit 1; \
	done

## install-multicall: teko, the multi-call binary, and a symlink to it per plugin, into $(DESTDIR)$(PREFIX)/bin
install-multicall:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ ./plugins/cmd/teko
	install -d "$(DESTDIR)$(BINDIR)"
	rm -f "$(DESTDIR)$(BINDIR)/teko" && install -m 0755 bin/teko "$(DESTDIR)$(BINDIR)/teko"
	@for p in $(PLUGINS); do \
		echo "link $(DESTDIR)$(BINDIR)/$$p -> teko"; \
		ln -sfn teko "$(DESTDIR)$(BINDIR)/$$p" || exit 1; \
	done

## dist: release archives for linux amd64/arm64, darwin, windows, freebsd amd64, the .debs and SHA256SUMS, into ./dist
dist:
	GO="$(GO)" VERSION="$(VERSION)" LDFLAGS="$(LDFLAGS)" packaging/dist.sh

## deb: only the .deb packages (multi-call binary and symlinks in /usr/bin), into ./dist
deb:
	GO="$(GO)" VERSION="$(VERSION)" LDFLAGS="$(LDFLAGS)" packaging/deb.sh

## startup-bench: binary sizes, start-up time and peak RSS of the plugins (needs hyperfine and /usr/bin/time)
startup-bench:
	GO="$(GO)" VERSION="$(VERSION)" LDFLAGS="$(LDFLAGS)" packaging/startup-bench.sh
