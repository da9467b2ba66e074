# libevs: build and test entry points.
#
#   make            build the library (release)
#   make check      run every test; exits non-zero on failure
#   make soak       run only the simulator tests (tests/sim_*.rs) over SEEDS seeds
#
# EVS_SIM_SEEDS and EVS_SIM_SEED_BASE reach the tests from the environment or from
# the make command line, e.g. `EVS_SIM_SEEDS=5000 make check`.

CARGO ?= cargo
JOBS  ?= 2
SEEDS ?= 100000

# Cargo does not glob --test, so name every simulator test target explicitly.
SIM_TESTS := $(sort $(basename $(notdir $(wildcard tests/sim_*.rs))))

.PHONY: all check soak clippy fmt clean

all:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) build -j$(JOBS) --release

check:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) test -j$(JOBS) --release

soak:
	@if [ -z "$(SIM_TESTS)" ]; then echo "soak: no simulator tests (tests/sim_*.rs) found" >&2; exit 1; fi
	EVS_SIM_SEEDS=$(SEEDS) CARGO_BUILD_JOBS=$(JOBS) $(CARGO) test -j$(JOBS) --release --no-fail-fast \
		$(foreach t,$(SIM_TESTS),--test $(t))

clippy:
	CARGO_BUILD_JOBS=$(JOBS) $(CARGO) clippy -j$(JOBS) --release --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
