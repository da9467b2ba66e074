# libevs: build and test entry points.
#
#   make            build the library (release) and lay it out in build/lib:
#                   libevs.so.4.0.0, libevs.so.4 -> it, libevs.so -> libevs.so.4, so that
#                   `cc prog.c -Iinclude -Lbuild/lib -levs` links in the source tree
#                   (run it with LD_LIBRARY_PATH=build/lib); and the chat client
#                   build/tools/evs-chat (tools/evs-chat.c)
#   make demo       a 15-second story on loopback (tools/demo.sh): three evs-chat
#                   processes form a ring, one is killed and comes back, the ring merges
#   make check      run every test (cargo test, then c-check); exits non-zero on failure
#   make c-check    the C tests: headers (and source compatibility with corosync's), ABI,
#                   exported symbols, SONAME, manual pages (groff -ww), install + pkg-config,
#                   multi-process runs on loopback, a smoke test of the benchmark tools,
#                   evs-chat (c-tests/robust/t-chat.sh) and the demo,
#                   and the short fault tests on a namespace LAN (c-tests/lan; skipped
#                   unless root with ip netns and iptables)
#   make chaos      the long fault tests on a namespace LAN (about 12 minutes; root)
#   make bench      the benchmark (tools/bench.sh; docs/BENCHMARKS.md): throughput of
#                   100 B to 1 MiB messages, 1 and 3 senders, agreed and safe, latency,
#                   raw UDP multicast beside it, idle CPU; 3 processes on loopback, or
#                   as root on a LAN of 3 network namespaces it creates and removes.
#                   About 5 minutes; BENCH_SECONDS=2 make bench for a quick run.
#                   Table and chart in build/bench/ (bench.md, bench.svg). Not in check.
#   make headers    regenerate include/corosync/evs.h from src/capi/ with cbindgen
#   make install    install into $(DESTDIR)$(PREFIX): the library with both links in
#                   $(LIBDIR), the headers in $(INCLUDEDIR)/corosync, libevs.pc in
#                   $(PKGCONFIGDIR), evs-keygen (writes a key for EVS_KEYFILE) and
#                   evs-chat in $(BINDIR), the manual pages (man/) in $(MANDIR)/man1,
#                   man3 and man8; `make uninstall` removes them
#   make soak       run only the simulator tests (tests/sim_*.rs): 14000 seeds per
#                   family, 2000 for big and for each fault family
#
# EVS_SIM_SEEDS and EVS_SIM_SEED_BASE reach the tests from the environment or from
# the make command line, e.g. `EVS_SIM_SEEDS=5000 make check`.

CARGO ?= cargo
JOBS  ?= 2
# make soak: seeds per simulator family (7 x 14000 + 2000 of 64 processors = 100000).
SOAK_SEEDS     ?= 14000
SOAK_BIG_SEEDS ?= 2000
# The fault families (asym deaf burst pause trigger) run 12-16 s of faults per seed.
SOAK_FAULT_SEEDS ?= 2000
FAULT_FAMILIES := sim_asym sim_deaf sim_burst sim_pause sim_trigger
SOAK_BASE      ?= 100000
CC    ?= cc
CXX   ?= g++

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
DESTDIR      ?=

# Cargo does not glob --test, so name every simulator test target explicitly.
SIM_TESTS := $(sort $(basename $(notdir $(wildcard tests/sim_*.rs))))

# The shared library's identity (corosync's libevs was libevs.so.4.0.0).
LIB_REAL   := libevs.so.4.0.0
LIB_SONAME := libevs.so.4
LIB_DEV    := libevs.so
BUILD_LIB  := build/lib
BUILD_TOOLS := build/tools
HEADERS    := include/corosync/evs.h include/corosync/corotypes.h include/corosync/hdb.h
# The manual pages (man/): evs-keygen in section 1, the functions in 3, the overview in 8.
MAN1       := $(wildcard man/*.1)
MAN3       := $(wildcard man/*.3)
MAN8       := $(wildcard man/*.8)
VERSION    := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)

# build/lib/libevs.so.4.0.0 is linked here from cargo's staticlib, with the version
# script: rustc's own version script for its cdylib cannot be overridden (build.rs
# explains). EXPORTS is the names under "global:" in every node of libevs.versions
# (up to its "local:" or its closing brace); each is pulled
# in with -u. RUST_NATIVE_LIBS is what the Rust standard library needs on Linux
# (`rustc --print native-static-libs`); --as-needed drops the ones libc now holds.
STATICLIB        := target/release/libevs.a
EXPORTS          := $(shell sed -n '/^[[:space:]]*global:/,/^[[:space:]]*\(local:\|}\)/s/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' libevs.versions)
RUST_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
comma            := ,

.PHONY: all check c-check demo chaos bench headers install uninstall soak clippy fmt clean

# The examples are fault injectors: the LAN scenario stalecommit's (examples/evs_forge_commit.rs)
# and the hostile-traffic test's (examples/evs_hostile.rs, c-tests/robust/t-hostile.sh).
all:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) build -j$(JOBS) --release
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) build -j$(JOBS) --release --example evs_forge_commit --example evs_hostile
	@mkdir -p $(BUILD_LIB)
	$(CC) -shared -o $(BUILD_LIB)/$(LIB_REAL).tmp \
		$(addprefix -Wl$(comma)-u$(comma),$(EXPORTS)) $(STATICLIB) \
		-Wl,--version-script=libevs.versions -Wl,-soname,$(LIB_SONAME) \
		-Wl,--gc-sections -Wl,-z,defs -Wl,-z,relro -Wl,-z,now $(LDFLAGS) \
		-Wl,--as-needed $(RUST_NATIVE_LIBS)
	mv -f $(BUILD_LIB)/$(LIB_REAL).tmp $(BUILD_LIB)/$(LIB_REAL)
	ln -sf $(LIB_REAL) $(BUILD_LIB)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD_LIB)/$(LIB_DEV)
	@mkdir -p $(BUILD_TOOLS)
	$(CC) -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror $(CFLAGS) -Iinclude tools/evs-chat.c \
		-L$(BUILD_LIB) -levs $(LDFLAGS) -o $(BUILD_TOOLS)/evs-chat

check:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) test -j$(JOBS) --release
	$(MAKE) --no-print-directory c-check

c-check: all
	CC="$(CC)" CXX="$(CXX)" MAKE="$(MAKE)" sh c-tests/run-abi.sh
	CC="$(CC)" sh c-tests/run-multi.sh
	CC="$(CC)" sh c-tests/run-bench-smoke.sh
	CC="$(CC)" bash c-tests/robust/run.sh
	sh c-tests/run-demo.sh
	CC="$(CC)" bash c-tests/lan/run.sh short

# The story of tools/demo.sh, on loopback: a ring of three evs-chat processes, one killed
# and started again. About 15 s; exits non-zero if the story did not happen.
demo: all
	bash tools/demo.sh

chaos: all
	CC="$(CC)" bash c-tests/lan/run.sh long

bench: all
	CC="$(CC)" bash tools/bench.sh

headers:
	EVS_REGEN_HEADERS=1 CARGO_BUILD_JOBS=$(JOBS) $(CARGO) test -j$(JOBS) --release --test headers_drift -- --nocapture

# Two programs are installed: evs-keygen, since whoever turns crypto on needs a key, as
# corosync's users need corosync-keygen; and evs-chat, the interactive client (corosync's
# testevs). evs-check, evs-bench and the examples are test tools.
install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/corosync $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0755 target/release/evs-keygen $(DESTDIR)$(BINDIR)/evs-keygen
	install -m 0755 $(BUILD_TOOLS)/evs-chat $(DESTDIR)$(BINDIR)/evs-chat
	install -m 0755 $(BUILD_LIB)/$(LIB_REAL) $(DESTDIR)$(LIBDIR)/$(LIB_REAL)
	ln -sf $(LIB_REAL) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/$(LIB_DEV)
	install -m 0644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/corosync/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		pkgconfig/libevs.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libevs.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libevs.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(LIB_REAL) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME) \
		$(DESTDIR)$(LIBDIR)/$(LIB_DEV) $(DESTDIR)$(PKGCONFIGDIR)/libevs.pc $(DESTDIR)$(BINDIR)/evs-keygen \
		$(DESTDIR)$(BINDIR)/evs-chat \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/corosync/,$(notdir $(HEADERS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/corosync 2>/dev/null || true

soak:
	@if [ -z "$(SIM_TESTS)" ]; then echo "soak: no simulator tests (tests/sim_*.rs) found" >&2; exit 1; fi
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) test -j$(JOBS) --release --no-run $(foreach t,$(SIM_TESTS),--test $(t))
	@set -e; for t in $(filter-out sim_harness sim_metrics sim_pinned,$(SIM_TESTS)); do \
		n=$(SOAK_SEEDS); [ $$t = sim_big ] && n=$(SOAK_BIG_SEEDS); \
		case " $(FAULT_FAMILIES) " in *" $$t "*) n=$(SOAK_FAULT_SEEDS);; esac; \
		echo "== $$t: $$n seeds from $(SOAK_BASE)"; \
		EVS_SIM_SEEDS=$$n EVS_SIM_SEED_BASE=$(SOAK_BASE) $(CARGO) test -j$(JOBS) --release --test $$t; \
	done

clippy:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) clippy -j$(JOBS) --release --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf build
