#!/bin/bash
# The fault tests on a namespace LAN: each scenario builds its own LAN of
# network namespaces on a bridge, runs evs_node processes (linked against
# build/lib/libevs.so) in them, injects its faults and has evs-check judge the
# callback logs. See c-tests/lan/README.md and docs/RELIABILITY.md.
#
#   c-tests/lan/run.sh [short|long] [SCENARIO...]
#
# short (the default, part of `make c-check`) runs every scenario briefly,
# long (`make chaos`) at length; SCENARIO names restrict the run. Each prints
# one "ok"/"FAIL" line with its figures; the last line is
# "lan: N passed, N failed, N skipped"; the exit status is 1 on any failure.
# Without root, `ip netns` or iptables, everything is skipped (status 0).
set -u
cd "$(dirname "$0")/../.." || exit 1
ALL="loss partition asym deaf leave stalecommit churn scale ipv6"
MODE=short
case ${1:-} in short | long) MODE=$1; shift ;; esac
NAMES=${*:-$ALL}
for n in $NAMES; do
    [ -f "c-tests/lan/scenarios/$n.sh" ] || { echo "lan: no scenario $n (have: $ALL)" >&2; exit 2; }
done
count() { echo $#; }

why=""
if [ "$(id -u)" != 0 ]; then why="not root"
elif ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then why="ip netns is not available"
elif ! command -v iptables >/dev/null 2>&1; then why="iptables is not installed"
fi
if [ -n "$why" ]; then
    for n in $NAMES; do echo "skip $n ($why)"; done
    echo "lan: 0 passed, 0 failed, $(count $NAMES) skipped"
    exit 0
fi

export OUT=${OUT:-build/c-tests/lan-$MODE}
CC=${CC:-cc}
mkdir -p build/c-tests "$OUT"
[ -x target/release/evs-check ] && [ -e build/lib/libevs.so ] || { echo "lan: run make first" >&2; exit 2; }
$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude c-tests/evs_node.c -Lbuild/lib -levs \
    -o build/c-tests/evs_node || exit 1

# A signal stops the scenario running (its trap removes what it made), then us.
child=""
stop() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"
    echo "lan: stopped by a signal"
    exit 130
}
trap stop INT TERM

passed=0 failed=0
start=$(date +%s)
for n in $NAMES; do
    t=$(date +%s)
    bash "c-tests/lan/scenarios/$n.sh" "$MODE" &
    child=$!
    wait $child
    rc=$?
    child=""
    if [ $rc -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    echo "     ($n: $(($(date +%s) - t)) s)"
done
echo "lan: $passed passed, $failed failed, 0 skipped ($MODE, $(($(date +%s) - start)) s)"
[ $failed -eq 0 ]
