# pocket: one static binary. `make` builds it; `make test` runs every test
# (as root); `make test-vm` the cgroup v2 and arm64 tests in VMs; `make demo`
# runs the offline demo; `make bench` the benchmarks.

GO      ?= go
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
# `pocket version` and `pocket --version` say what was built: the tag (or
# dev), the commit, the time. A plain `go build` falls back to what Go
# records from git (pocket/version).
VERSION   ?= $(shell git describe --tags --dirty 2>/dev/null || echo dev)
GITCOMMIT ?= $(shell git rev-parse --short=7 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
BUILDTIME ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   = -s -w -X pocket/version.Version=$(VERSION) -X pocket/version.GitCommit=$(GITCOMMIT) -X pocket/version.BuildTime=$(BUILDTIME)
# urfave_cli_no_docs leaves out urfave/cli's man-page generator (and its
# markdown library), whose package init every pocket process would pay.
BUILDTAGS = urfave_cli_no_docs,pocket_nsinit
GOFLAGS_BUILD = -trimpath -tags $(BUILDTAGS) -ldflags '$(LDFLAGS)'
# A container's init is ns/nsinit, a small program embedded in pocket
# (pocket_nsinit): built first for the target architecture, it starts in
# a third of the time pocket's own binary does. internal/pocketbuild
# builds pocket the same way for the tests.
GOARCH ?= $(shell $(GO) env GOARCH)
nsinit = GOOS=linux GOARCH=$(1) $(GO) build -trimpath -ldflags '-s -w' -o ns/nsinit/pocket-init-linux-$(1) ./ns/nsinit
export CGO_ENABLED = 0
export PATH := $(PATH):/usr/local/go/bin

.PHONY: all pocket install cross test test-vm test-vm-amd64 test-vm-arm64 vet lint demo bench oci-validate clean

all: pocket

pocket:
	$(call nsinit,$(GOARCH))
	$(GO) build $(GOFLAGS_BUILD) -o pocket .

install: pocket
	install -D -m 0755 pocket $(DESTDIR)$(BINDIR)/pocket
	ln -sf pocket $(DESTDIR)$(BINDIR)/pocket-runc  # the OCI runtime's name

cross:
	$(call nsinit,amd64)
	GOOS=linux GOARCH=amd64 $(GO) build $(GOFLAGS_BUILD) -o bin/pocket-linux-amd64 .
	$(call nsinit,arm64)
	GOOS=linux GOARCH=arm64 $(GO) build $(GOFLAGS_BUILD) -o bin/pocket-linux-arm64 .

# The tests need root (e2e/) and a few Debian packages (installed when
# missing). Every Go package is under ./...: tests in e2e/, their helpers
# in internal/.
test:
	./testdata/setup.sh
	$(MAKE) vet
	$(GO) test -count=1 -p 2 -timeout 40m ./...
	$(MAKE) test-vm

# pull, store and the tar code must build off Linux too (!linux stubs).
vet:
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

# The tests this host (cgroup v1) cannot run: Debian's kernel under qemu
# (TCG) with pure cgroup v2, then on arm64 (internal/cmd/vm; as root,
# installs qemu and downloads the kernels when missing).
test-vm: test-vm-amd64 test-vm-arm64

test-vm-amd64:
	$(GO) run ./internal/cmd/vm -arch amd64

test-vm-arm64:
	$(GO) run ./internal/cmd/vm -arch arm64

lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Offline demo: build the hello image from source into a docker-save
# archive, load it into a throwaway root and run it.
demo: pocket
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) run ./internal/cmd/mkimage -o "$$tmp/hello.tar" -tag hello:latest hello; \
	echo "+ pocket load -i hello.tar"; ./pocket --root "$$tmp/root" load -i "$$tmp/hello.tar"; \
	echo "+ pocket images"; ./pocket --root "$$tmp/root" images; \
	echo "+ pocket run --rm hello"; ./pocket --root "$$tmp/root" run --rm hello

bench: pocket
	./testdata/bench/bench.sh

# The OCI runtime-tools validation suite against pocket-runc (several
# minutes; its failures are explained in README's OCI runtime section).
oci-validate: pocket
	./testdata/oci/runtime-tools.sh

clean:
	rm -rf pocket bin/ .bench/ .vm/ bench-results.txt
