#!/bin/bash
# Node id collisions (issue 10, item 4): a processor started with the node id
# of a running, idle one must be refused (CS_ERR_EXIST, one line on stderr),
# every time, without disturbing the holder's ring; a distinct id still starts.
# And no false positive: a processor restarted at once after kill -9, while its
# old ring still lists its id, starts (nobody *holds* the id any more).
set -u
: "${CC:?}" "${LIBDIR:?}" "${OUT:?}" "${PORT:?}"
export LD_LIBRARY_PATH=$LIBDIR
unset EVS_CONFIG EVS_KEYFILE EVS_LOG EVS_NODEID
export EVS_MCASTPORT=$PORT
$CC -std=c99 -Wall -Wextra -Werror -Iinclude c-tests/robust/init_once.c -L"$LIBDIR" -levs -lpthread \
    -o "$OUT/init_once" || exit 1

failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

# wait_for FILE PATTERN: up to 5 s
wait_for() {
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# starter NAME NODEID EXPECTED: one evs_initialize with that id; its result must be EXPECTED.
starter() {
    local start ms
    start=$(date +%s%N)
    EVS_NODEID=$2 timeout 10 "$OUT/init_once" >"$OUT/$1.out" 2>"$OUT/$1.err"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if ! grep -qx "init $3" "$OUT/$1.out"; then
        fail "$1 (node id $2): '$(cat "$OUT/$1.out")' after $ms ms, expected init $3; stderr:"
        sed 's/^/     | /' "$OUT/$1.err"
        return
    fi
    if [ "$3" = 14 ] && [ "$(wc -l <"$OUT/$1.err")" -ne 1 ]; then
        fail "$1: the refusal is not one line on stderr:"
        sed 's/^/     | /' "$OUT/$1.err"
        return
    fi
    echo "ok   $1 (node id $2): init $3 in $ms ms $(head -n 1 "$OUT/$1.err")"
}

# An idle holder of node id 5: a singleton ring whose token sits with it.
EVS_NODEID=5 "$OUT/init_once" -h 8 >"$OUT/holder.out" 2>"$OUT/holder.err" &
holder=$!
wait_for "$OUT/holder.out" '^config' || fail "the holder did not start"
sleep 1

for i in 1 2 3; do
    starter late-$i 5 14
done
# Three at once: each must be refused (by the holder, or by each other).
for i in 4 5 6; do
    starter late-$i 5 14 &
done
wait $(jobs -p | grep -v "^$holder\$")
n=$(grep -c '^config' "$OUT/holder.out")
[ "$n" -eq 1 ] || fail "the late starters disturbed the holder's ring: $n configuration changes"
starter distinct 6 1
wait $holder || fail "the holder exited with $?"

# kill -9, then the same id again at once: the survivor's ring still lists
# id 7 (until token loss), but no running processor holds it.
export EVS_MCASTPORT=$((PORT + 2))
EVS_NODEID=8 "$OUT/init_once" -h 5 >"$OUT/survivor.out" 2>"$OUT/survivor.err" &
survivor=$!
wait_for "$OUT/survivor.out" '^config' || fail "the survivor did not start"
EVS_NODEID=7 "$OUT/init_once" -h 30 >"$OUT/victim.out" 2>"$OUT/victim.err" &
victim=$!
wait_for "$OUT/survivor.out" '^config 7 8$' || fail "no ring of 7 and 8"
kill -9 $victim
wait $victim 2>/dev/null
starter restarted 7 1
wait $survivor || fail "the survivor exited with $?"

[ $failed -eq 0 ]
