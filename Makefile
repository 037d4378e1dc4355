# Thin wrappers around meson. `make demo` and `make check` are the two entry
# points; everything else is here for convenience. The real build is meson's.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILDDIR      ?= _build
ASAN_BUILDDIR ?= _build-asan
FUZZ_BUILDDIR ?= _build-fuzz
CHECK_LOGDIR  ?= _build-check
FUZZ_TIME     ?= 60
MESON         ?= meson
MESON_ARGS    ?=

# Every Debian 12 package the build, the tests, the benchmarks and the docs
# need. Keep this the one list: later issues append to it.
DEB_PACKAGES := \
	meson ninja-build pkg-config gcc clang libclang-rt-14-dev \
	libglib2.0-dev gobject-introspection libgirepository1.0-dev \
	gir1.2-glib-2.0 python3-gi gjs valac valgrind gi-docgen glib-networking \
	libsofia-sip-ua-dev libosip2-dev sip-tester libnet-sip-perl libio-socket-ssl-perl gnutls-bin \
	nettle-dev libsqlite3-dev dnsmasq-base iproute2 nftables kamailio baresip-core

# Environment for the sanitizer runs. G_SLICE=always-malloc lets ASan and
# valgrind see every allocation (GLib 2.74 still has the slice magazines).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:print_summary=1:intercept_tls_get_addr=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	G_SLICE=always-malloc NET_SIP_ARENA_CACHE=0

FUZZ_CORPUS := tests/fuzz/corpus
FUZZ_BIN    := $(FUZZ_BUILDDIR)/tests/fuzz/fuzz-parse

.PHONY: all deps build check check-unit check-asan check-valgrind check-fuzz \
	demo bench docs fuzz clean help

all: build

help:
	@echo "make deps      install the Debian packages (as root) or print the apt-get line"
	@echo "make build     meson setup + compile in $(BUILDDIR)"
	@echo "make demo      build, then a call: netsip-proxy (registrar, digest, SQLite), alice calls bob, RTP echo, DTMF, ladder"
	@echo "make check     unit, gi, examples, interop (real peers) and slow (1,000-call memory) suites, ASan/UBSan unit run, valgrind parser run, $(FUZZ_TIME) s libFuzzer"
	@echo "make bench     benchmarks against sofia-sip and libosip2"
	@echo "make docs      API reference with gi-docgen in $(BUILDDIR)/doc"
	@echo "make fuzz      libFuzzer build in $(FUZZ_BUILDDIR), run FUZZ_TIME=$(FUZZ_TIME) s, replay corpus"
	@echo "make clean     remove every build directory"

# ---------------------------------------------------------------------------
# deps: fast when everything is there (one dpkg-query per package).
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
	  echo "deps: all $(words $(DEB_PACKAGES)) Debian packages are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "deps: missing Debian packages; as root run:"; \
	  echo "  apt-get install -y --no-install-recommends$$missing"; \
	fi

# ---------------------------------------------------------------------------
$(BUILDDIR)/build.ninja:
	@rm -rf $(BUILDDIR)
	$(MESON) setup $(BUILDDIR) $(MESON_ARGS)

build: deps $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)

demo: build
	$(BUILDDIR)/examples/netsip-demo

bench: deps $(BUILDDIR)/build.ninja
	$(MESON) configure $(BUILDDIR) -Dbenchmarks=true
	$(MESON) compile -C $(BUILDDIR)
	$(MESON) test -C $(BUILDDIR) --benchmark --verbose

docs: deps $(BUILDDIR)/build.ninja
	$(MESON) configure $(BUILDDIR) -Ddocs=true
	$(MESON) compile -C $(BUILDDIR)
	@echo "docs: open $(BUILDDIR)/doc/netsip-glib-1.0/index.html"

# ---------------------------------------------------------------------------
# check: four runs; a failing one does not stop the others. Each run's output
# goes to $(CHECK_LOGDIR)/<run>.log and its exit status to <run>.status;
# .ci/totals.sh sums meson's summaries into the closing `N passed, M failed`.
CHECK_RUNS := check-unit check-asan check-valgrind check-fuzz

check: deps
	@rm -rf $(CHECK_LOGDIR); mkdir -p $(CHECK_LOGDIR); \
	start=$$(date +%s); rc=0; \
	for run in $(CHECK_RUNS); do \
	  echo "=== $$run ==="; \
	  $(MAKE) --no-print-directory $$run 2>&1 | tee $(CHECK_LOGDIR)/$$run.log; \
	  status=$${PIPESTATUS[0]}; \
	  echo "$$status" > $(CHECK_LOGDIR)/$$run.status; \
	  if [ "$$status" != 0 ]; then rc=1; echo "=== $$run FAILED (exit $$status) ==="; fi; \
	done; \
	echo "=== check took $$(( $$(date +%s) - start )) s ==="; \
	bash .ci/totals.sh $(CHECK_LOGDIR) $(CHECK_RUNS) || rc=1; \
	exit $$rc

# (a) unit, GI binding, example, interop (real peers) and slow (the 1,000-call
# memory acceptance of issue 7) tests, normal build
check-unit: $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)
	$(MESON) test -C $(BUILDDIR) --no-rebuild --print-errorlogs --suite unit --suite gi --suite examples --suite interop --suite slow

# (b) unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
$(ASAN_BUILDDIR)/build.ninja:
	@rm -rf $(ASAN_BUILDDIR)
	$(MESON) setup $(ASAN_BUILDDIR) -Db_sanitize=address,undefined -Db_lundef=false \
	  -Dintrospection=false $(MESON_ARGS)

check-asan: $(ASAN_BUILDDIR)/build.ninja
	$(MESON) compile -C $(ASAN_BUILDDIR)
	$(SAN_ENV) $(MESON) test -C $(ASAN_BUILDDIR) --no-rebuild --print-errorlogs --suite unit

# (c) parser tests (and the fuzz corpus replay) under valgrind memcheck;
# the `valgrind` test setup is in tests/meson.build.
check-valgrind: $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)
	$(MESON) test -C $(BUILDDIR) --no-rebuild --print-errorlogs --setup valgrind --suite parser

# (d) libFuzzer for FUZZ_TIME seconds, then a replay of the whole corpus.
# New inputs go to $(FUZZ_BUILDDIR)/corpus-new, crashes to
# $(FUZZ_BUILDDIR)/artifacts/: never into the source tree.
$(FUZZ_BUILDDIR)/build.ninja:
	@rm -rf $(FUZZ_BUILDDIR)
	CC=clang $(MESON) setup $(FUZZ_BUILDDIR) -Dfuzzing=true -Dintrospection=false \
	  -Db_lundef=false $(MESON_ARGS)

$(FUZZ_BIN): $(FUZZ_BUILDDIR)/build.ninja FORCE
	$(MESON) compile -C $(FUZZ_BUILDDIR) fuzz-parse

fuzz: deps check-fuzz

# libFuzzer prints a line per new input: the full output goes to
# $(FUZZ_BUILDDIR)/fuzz.log; the console gets its end (all of the report
# when the fuzzer finds something).
check-fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_BUILDDIR)/corpus-new $(FUZZ_BUILDDIR)/artifacts
	@echo "fuzz: $(FUZZ_BIN) for $(FUZZ_TIME) s, log in $(FUZZ_BUILDDIR)/fuzz.log"
	@$(SAN_ENV) $(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -timeout=10 -max_len=16384 \
	  -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILDDIR)/artifacts/ \
	  $(FUZZ_BUILDDIR)/corpus-new $(FUZZ_CORPUS) > $(FUZZ_BUILDDIR)/fuzz.log 2>&1; \
	status=$$?; \
	if [ $$status = 0 ]; then \
	  grep -E '^(INFO: Seed|INFO: seed corpus|#[0-9]+[[:space:]]+INITED|Done|stat::)' $(FUZZ_BUILDDIR)/fuzz.log; \
	else \
	  sed -n '/^INFO: Seed/p' $(FUZZ_BUILDDIR)/fuzz.log; \
	  grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' $(FUZZ_BUILDDIR)/fuzz.log | tail -n 150; \
	  echo "fuzz: FAILED (exit $$status); reproduce: $(FUZZ_BIN) $(FUZZ_BUILDDIR)/artifacts/<file>"; \
	  ls -l $(FUZZ_BUILDDIR)/artifacts/; \
	fi; \
	exit $$status
	$(SAN_ENV) $(FUZZ_BIN) -runs=1 $(FUZZ_CORPUS)/* 2>&1 | grep -v -E '^(Running:|Executed )'; \
	  exit $${PIPESTATUS[0]}
	@echo "fuzz: replayed $$(ls $(FUZZ_CORPUS) | wc -l) corpus files, new inputs kept in $(FUZZ_BUILDDIR)/corpus-new"

FORCE:

# ---------------------------------------------------------------------------
clean:
	rm -rf $(BUILDDIR) $(ASAN_BUILDDIR) $(FUZZ_BUILDDIR) $(CHECK_LOGDIR)
