# Development tasks. `make test` installs what the tests need and runs the
# whole suite; see README.md.

GO       ?= go
FUZZTIME ?= 20s

# Go 1.27.3 carries the standard library's security fixes that govulncheck
# finds missing from 1.26.8; the go command fetches it from the module proxy
# on first use. The module itself still builds with Go 1.26.8.
export GOTOOLCHAIN ?= go1.27.3

# Pinned linters, run with `go run` so nothing is installed globally.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
# govulncheck reads a local copy of the Go vulnerability database, built
# from the golang.org/x/vulndb module at this version (the live database
# is not reachable from every build machine).
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/learnpact/vulndb-$(VULNDB_VERSION)

# Programs the tests need, as command:debian-package (poppler-utils: the
# record's PDF is read back with pdftotext, its first page drawn with
# pdftoppm). Missing ones are
# installed by `make deps` with apt-get (through sudo when not root).
TOOLS := redis-server:redis-server cc:gcc chromium:chromium pdftotext:poppler-utils pdftoppm:poppler-utils
# Packages without a command of their own (fonts for browser screenshots),
# checked with dpkg.
PACKAGES := fonts-dejavu-core fonts-noto-color-emoji

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT  := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: test deps lint vuln bench fuzz run mutate

# Tests that need redis-server skip without it; make test installs it and
# makes them fail rather than skip.
test: export LEARNPACT_REQUIRE_REDIS := 1
test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

deps:
	@missing=""; \
	for t in $(TOOLS); do command -v "$${t%%:*}" >/dev/null || missing="$$missing $${t#*:}"; done; \
	for p in $(PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(APT) update -q && $(APT) install -y -q --no-install-recommends $$missing; \
	fi

# Node.js and the npm packages of bot/teams/cardcheck (the adaptivecards
# checks of the Teams adapter's Adaptive Cards) and bot/slack/blockcheck (the
# @slack/types checks of the Slack adapter's Block Kit). npm ci runs in each
# when its node_modules is missing or package-lock.json changed since it
# last ran.
CARDCHECK  := bot/teams/cardcheck
BLOCKCHECK := bot/slack/blockcheck

NPM_LOCKS := $(CARDCHECK)/node_modules/.package-lock.json $(BLOCKCHECK)/node_modules/.package-lock.json

deps: $(NPM_LOCKS)

$(NPM_LOCKS): %/node_modules/.package-lock.json: %/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing: nodejs npm"; \
		$(APT) update -q && $(APT) install -y -q --no-install-recommends nodejs npm; \
	fi
	npm ci --prefix $* --no-audit --no-fund
	@touch $@

lint:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))"; \
	if [ -n "$$out" ]; then echo "not gofmt-ed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Known vulnerabilities reachable from the code (standard library and
# modules), from the local database copy.
vuln: $(VULNDB)/index/db.json
	$(GO) run $(GOVULNCHECK) -db file://$(VULNDB) ./...

$(VULNDB)/index/db.json:
	@set -e; tmp=$$(mktemp -d); \
	src=$$(cd $$tmp && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	rm -rf $(VULNDB).tmp; \
	(cd $$tmp && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns $$src/data/osv -out $(VULNDB).tmp); \
	rm -rf $(VULNDB) $$tmp; mv $(VULNDB).tmp $(VULNDB)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The fault suite at full size: kill -9 during a burst of 1,000
# events, Redis down for 30 s, and the rest; make test runs it small.
.PHONY: faults
faults: export LEARNPACT_REQUIRE_REDIS := 1
faults: export LEARNPACT_FAULTS := full
faults: deps
	$(GO) test -race -count=1 -timeout 60m -parallel 1 -run '^TestFault' -v ./cmd/learnpact/e2e/

# Runs every Fuzz target for FUZZTIME (make fuzz FUZZTIME=2m for longer).
fuzz:
	@set -e; \
	for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -r -n1 dirname | sort -u); do \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //'); do \
			echo "== $$dir $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

run:
	$(GO) run ./cmd/learnpact

# Mutation testing (not part of make test): gremlins, pinned and run with
# go run, changes one operator at a time (a < for a <=, a - for a +, a
# negated condition) and runs the package's tests against each change; a
# change no test notices "lived". It covers the files where one-line bugs
# once passed the whole suite (the Accept handler, reviewer picking, one
# nudge per local day, working hours, the Slack event dedupe) and the dialog
# code around them, sized to finish in about 75 minutes on a busy two-core machine. Each
# entry is a package directory and the files in it to change; the others,
# and sub-packages, are left alone. MUTATE_WORKERS mutants run at once;
# results go to $(MUTATE_OUT), one JSON file per package.
GREMLINS       := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATE_WORKERS ?= 2
# A mutant's tests may take this many times as long as the unchanged
# package's before they count as timed out (fast packages on a busy
# machine need the room).
MUTATE_TIMEOUT ?= 10
MUTATE_OUT     ?= artifacts/mutate
MUTATE := \
	conversation:negotiate.go,renegotiate.go,commands.go,items.go \
	conversation/learningset:set.go \
	conversation/deadline:deadline.go \
	scheduler:scheduler.go,hours.go \
	bot/slack:decode.go,http.go

mutate:
	@set -e; mkdir -p $(MUTATE_OUT); \
	for entry in $(MUTATE); do \
		dir=$${entry%%:*}; keep=",$${entry#*:},"; excl="-E /"; \
		for f in $$(cd $$dir && ls *.go | grep -v '_test\.go$$'); do \
			case "$$keep" in *",$$f,"*) ;; *) excl="$$excl -E ^$$(echo $$f | sed 's/\./\\./g')\$$";; esac; \
		done; \
		echo "== $$dir: $${entry#*:}"; \
		$(GO) run $(GREMLINS) unleash --workers $(MUTATE_WORKERS) --test-cpu 1 --timeout-coefficient $(MUTATE_TIMEOUT) \
			-o $(MUTATE_OUT)/$$(echo $$dir | tr / -).json $$excl ./$$dir; \
	done
