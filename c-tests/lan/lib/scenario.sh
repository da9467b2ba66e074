# The frame of every scenario (sourced first; bash): paths, the libraries,
# cleanup on every exit, and the one result line.
#
# A scenario is run as `bash c-tests/lan/scenarios/NAME.sh short|long` from the
# repository root, with OUT set by run.sh (its logs go to $OUT). It prints
# "ok   NAME: figures" or "FAIL NAME: why" (details indented below) and exits
# 0 or 1.

set -u
MODE=${1:-short}
SCEN=$(basename "$0" .sh)
LAN_LIB=$(dirname "$0")/../lib
LIBDIR=${LIBDIR:-$PWD/build/lib}
NODE=${NODE:-$PWD/build/c-tests/evs_node}
CHECK=${CHECK:-$PWD/target/release/evs-check}
OUT=${OUT:-$PWD/build/c-tests/lan}/$SCEN
rm -rf "$OUT"
mkdir -p "$OUT"

. "$LAN_LIB/net.sh"
. "$LAN_LIB/faults.sh"
. "$LAN_LIB/procs.sh"
. "$LAN_LIB/figures.sh"

# Whatever happens (success, failure, Ctrl-C, SIGTERM), nothing we made stays.
cleanup() {
    trap '' INT TERM    # a second Ctrl-C must not cut the cleanup short
    trap - EXIT
    nodes_reap
    lan_down
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass() { echo "ok   $SCEN: $*"; exit 0; }
fail() { echo "FAIL $SCEN: $*"; exit 1; }

# by_mode SHORT_VALUE LONG_VALUE: the value for this run's mode.
by_mode() { if [ "$MODE" = long ]; then echo "$2"; else echo "$1"; fi; }

lan_clean_stale
