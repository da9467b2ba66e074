#!/bin/bash
# The C API under hostile-but-legal programs (issue 10): fork, node id
# collisions, finalize races, group limits, odd configuration files, signals.
#
# Each test is a script c-tests/robust/t-NAME.sh, run from the source tree with
#   CC      the C compiler
#   LIBDIR  build/lib (libevs.so; the script sets LD_LIBRARY_PATH itself)
#   OUT     a fresh directory of its own for binaries and logs
#   PORT    a base UDP port; the test may use PORT..PORT+99
# It exits 0 when it passes, 77 when it cannot run here (said on stdout), and
# anything else when it fails; its output is shown on failure.
# Prints "robust: N passed, N failed, N skipped" last; exits non-zero on failure.
set -u

CC=${CC:-cc}
LIBDIR=build/lib
ROOT=${OUT:-build/c-tests/robust}
passed=0
failed=0
skipped=0
rm -rf "$ROOT"
mkdir -p "$ROOT"
port=$((40000 + $$ % 200 * 100))

for t in c-tests/robust/t-*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    name=${name#t-}
    out="$ROOT/$name"
    mkdir -p "$out"
    start=$(date +%s%N)
    CC="$CC" LIBDIR="$LIBDIR" OUT="$out" PORT=$port bash "$t" >"$out/output" 2>&1
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    port=$((port + 100))
    case $rc in
    0)
        passed=$((passed + 1))
        echo "ok   $name (${ms} ms)"
        ;;
    77)
        skipped=$((skipped + 1))
        echo "skip $name: $(tail -n 1 "$out/output")"
        ;;
    *)
        failed=$((failed + 1))
        echo "FAIL $name (exit $rc, ${ms} ms)"
        tail -n 40 "$out/output" | sed 's/^/     | /'
        ;;
    esac
done

echo "robust: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
