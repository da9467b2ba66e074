#!/bin/sh
# A smoke test of the benchmark tools (tools/, `make bench`), on loopback:
#   flood  evs-bench -m flood for 1 s and -m recv, 2 processes, 1 KiB agreed:
#          both complete, something delivered, no loss, no order or content
#          error, one delivery order (the same digest)
#   lat    evs-bench -m lat at 500 msgs/s for 1 s, safe: latency samples at both
#   raw    raw-mcast for 1 s: the receiver counts datagrams
# Prints "bench-smoke: N passed, N failed" last; exits non-zero on failure.
set -u

OUT=${OUT:-build/c-tests/bench-smoke}
LIBDIR=build/lib
CC=${CC:-cc}
B=$OUT/evs-bench
R=$OUT/raw-mcast
passed=0
failed=0

rm -rf "$OUT"
mkdir -p "$OUT"
$CC -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude tools/evs-bench.c -L$LIBDIR -levs -o "$B" || exit 1
$CC -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror tools/raw-mcast.c -o "$R" || exit 1
port=$((40000 + $$ % 5000 * 2))

# field NAME FILE: the value of NAME= in FILE's RESULT line
field() { sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" "$2"; }

# judge NAME: both processes' RESULT lines
judge() {
    name=$1
    why=""
    for f in "$OUT/$name".1.out "$OUT/$name".2.out; do
        if ! grep -q '^RESULT' "$f"; then why="$why; no RESULT line in $f"; continue; fi
        [ "$(field complete "$f")" = 1 ] || why="$why; $f: incomplete"
        [ "$(field msgs "$f")" -gt 0 ] 2>/dev/null || why="$why; $f: nothing delivered"
        for k in lost order_errs content_errs; do
            [ "$(field $k "$f")" = 0 ] || why="$why; $f: $k=$(field $k "$f")"
        done
        if [ "$name" = lat ]; then
            [ "$(field lat_n "$f")" -gt 0 ] 2>/dev/null || why="$why; $f: no latency samples"
        fi
    done
    [ "$(field digest "$OUT/$name.1.out")" = "$(field digest "$OUT/$name.2.out")" ] ||
        why="$why; the delivery orders differ"
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok   $name: $(field msgs "$OUT/$name.2.out") messages checked, $(field msgs_per_s "$OUT/$name.2.out") msgs/s"
    else
        failed=$((failed + 1))
        echo "FAIL $name${why#;}"
        cat "$OUT/$name".*.out "$OUT/$name".*.err | sed 's/^/     | /'
    fi
}

port=$((port + 2))
EVS_MCASTPORT=$port LD_LIBRARY_PATH=$LIBDIR $B -q -m recv -w 2 -n 1 -T 30 >"$OUT/flood.2.out" 2>"$OUT/flood.2.err" &
EVS_MCASTPORT=$port LD_LIBRARY_PATH=$LIBDIR $B -q -m flood -s 1024 -t 1 -w 2 -n 1 -T 30 >"$OUT/flood.1.out" 2>"$OUT/flood.1.err"
wait
judge flood

port=$((port + 2))
EVS_MCASTPORT=$port LD_LIBRARY_PATH=$LIBDIR $B -q -m recv -g safe -w 2 -n 1 -T 30 >"$OUT/lat.2.out" 2>"$OUT/lat.2.err" &
EVS_MCASTPORT=$port LD_LIBRARY_PATH=$LIBDIR $B -q -m lat -g safe -r 500 -s 1024 -t 1 -w 2 -n 1 -T 30 >"$OUT/lat.1.out" 2>"$OUT/lat.1.err"
wait
judge lat

port=$((port + 2))
$R -m recv -p $port -T 10 >"$OUT/raw.2.out" 2>"$OUT/raw.2.err" &
i=0
while ! grep -q READY "$OUT/raw.2.out" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
$R -m send -p $port -t 1 >"$OUT/raw.1.out" 2>"$OUT/raw.1.err"
wait
if [ "$(field msgs "$OUT/raw.2.out")" -gt 0 ] 2>/dev/null && [ "$(field complete "$OUT/raw.2.out")" = 1 ]; then
    passed=$((passed + 1))
    echo "ok   raw: $(field msgs "$OUT/raw.2.out") datagrams counted, $(field MB_per_s "$OUT/raw.2.out") MB/s"
else
    failed=$((failed + 1))
    echo "FAIL raw"
    cat "$OUT"/raw.*.out "$OUT"/raw.*.err | sed 's/^/     | /'
fi

echo "bench-smoke: $passed passed, $failed failed"
[ $failed = 0 ]
