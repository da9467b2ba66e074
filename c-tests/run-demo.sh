#!/bin/sh
# make demo's story (tools/demo.sh) as a test: three evs-chat processes, one
# killed with kill -9 and started again; the script itself checks that the
# story happened (one order everywhere, the failure reported by both survivors,
# the merge seen by all three) and exits non-zero if not. Run with a shorter
# pause between the steps than for a reader. Its output is kept in
# build/c-tests/demo/output (the processes' logs in logs/), shown on failure.
# Prints "demo: 1 passed, 0 failed" (or 0 passed, 1 failed) last.
set -u

OUT=${OUT:-build/c-tests/demo}
rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s%N)
DEMO_PACE=${DEMO_PACE:-0.2} DEMO_OUT="$OUT/logs" timeout 90 bash tools/demo.sh >"$OUT/output" 2>&1
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ $rc = 0 ] && grep -q '^== the story happened as told' "$OUT/output"; then
    echo "ok   demo: $(grep -c '^  node ' "$OUT/output") lines of the processes, the story as told (${ms} ms)"
    echo "demo: 1 passed, 0 failed"
    exit 0
fi
echo "FAIL demo (exit $rc, ${ms} ms)"
sed 's/^/     | /' "$OUT/output"
echo "demo: 0 passed, 1 failed"
exit 1
