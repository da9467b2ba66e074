#!/bin/bash
# evs-chat (tools/evs-chat.c, issue 9): two clients over loopback, node ids 1
# and 2, each driven through a fifo as a person would type. Both join "chat"
# and send lines (agreed, safe, to the joined groups and to named ones); each
# must print every chat line of both, in one order (the same on both), each
# sender's in its send order, and nothing sent to a group it did not join.
# Both report the same regular configuration of [1 2]; m prints it; a bad
# command and a leave of a group not joined give clear errors (the
# cs_error_t's name). When client 2 quits, client 1 prints the transitional
# configuration (left [2]) and then the regular one of [1]; both exit 0.
set -u
: "${CC:?}" "${LIBDIR:?}" "${OUT:?}" "${PORT:?}"
export LD_LIBRARY_PATH=$LIBDIR
unset EVS_CONFIG EVS_KEYFILE EVS_LOG EVS_NODEID
export EVS_MCASTPORT=$PORT
$CC -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude tools/evs-chat.c -L"$LIBDIR" -levs \
    -o "$OUT/evs-chat" || exit 1

failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT

# wait_for FILE PATTERN [COUNT]: until FILE has COUNT lines matching PATTERN (1), up to 10 s
wait_for() {
    for _ in $(seq 200); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
        sleep 0.05
    done
    return 1
}

# One client per node id; its commands come through the fifo in.N, held open on fd 2+N.
for n in 1 2; do
    mkfifo "$OUT/in.$n"
    EVS_NODEID=$n timeout 30 "$OUT/evs-chat" <"$OUT/in.$n" >"$OUT/out.$n" 2>"$OUT/err.$n" &
    pids+=($!)
done
exec 3>"$OUT/in.1" 4>"$OUT/in.2"

for n in 1 2; do
    wait_for "$OUT/out.$n" 'regular configuration (ring [0-9]*:[0-9]*): members \[1 2\]' ||
        fail "client $n: no regular configuration of [1 2]"
done
ring1=$(grep -o 'regular configuration (ring [0-9:]*): members \[1 2\]' "$OUT/out.1" | tail -n 1)
ring2=$(grep -o 'regular configuration (ring [0-9:]*): members \[1 2\]' "$OUT/out.2" | tail -n 1)
[ -n "$ring1" ] && [ "$ring1" = "$ring2" ] || fail "the ring ids differ: '$ring1' and '$ring2'"

# Join, and be sure the join is done (i answers after it) before anyone sends.
echo "j chat" >&3
echo "j chat" >&4
echo "i" >&3
echo "i" >&4
wait_for "$OUT/out.1" 'groups joined: chat$' || fail "client 1 did not join chat"
wait_for "$OUT/out.2" 'groups joined: chat$' || fail "client 2 did not join chat"

echo "m" >&3
echo "t safe" >&4
for k in $(seq 1 10); do
    if [ $((k % 3)) = 0 ]; then echo "g chat,other one-$k (named)" >&3; else echo "s one-$k" >&3; fi
    echo "s two-$k ünïcode	tab" >&4
done
echo "g other not for us" >&3
echo "l nope" >&4
echo "xyzzy" >&4
for n in 1 2; do
    wait_for "$OUT/out.$n" '^\[node [12] -> [a-z,]*chat' 20 || fail "client $n: fewer than 20 chat lines"
done
grep -q '^== membership: node 1 of \[1 2\]$' "$OUT/out.1" || fail "m printed no membership of [1 2]"

# The same lines in the same order on both; each sender's in its order.
grep '^\[node [12] -> ' "$OUT/out.1" >"$OUT/order.1"
grep '^\[node [12] -> ' "$OUT/out.2" >"$OUT/order.2"
cmp -s "$OUT/order.1" "$OUT/order.2" || { fail "the two clients' orders differ:"; diff "$OUT/order.1" "$OUT/order.2"; }
for n in 1 2; do
    want=$(for k in $(seq 1 10); do
        if [ $((k % 3)) = 0 ]; then echo "[node 1 -> chat,other] one-$k (named)"; else echo "[node 1 -> chat] one-$k"; fi
    done)
    [ "$(grep '^\[node 1 ' "$OUT/order.$n")" = "$want" ] || fail "client $n: node 1's lines are not all there in order"
    want=$(for k in $(seq 1 10); do printf '[node 2 -> chat (safe)] two-%s ünïcode\\x09tab\n' "$k"; done)
    [ "$(grep '^\[node 2 ' "$OUT/order.$n")" = "$want" ] || fail "client $n: node 2's lines are not all there in order"
    ! grep -q 'not for us' "$OUT/out.$n" || fail "client $n printed a message to a group it did not join"
done
wait_for "$OUT/err.2" "evs_leave 'nope' (not joined): CS_ERR_NOT_EXIST" || fail "no clear error for l nope"
wait_for "$OUT/err.2" "'xyzzy': unknown command (h for help)" || fail "no clear error for xyzzy"

# Client 2 quits: client 1 prints the transitional configuration, then the regular one.
alone='^== regular configuration (ring [0-9:]*): members \[1\]$'
before=$(grep -c -- "$alone" "$OUT/out.1")
echo "q" >&4
exec 4>&-
wait "${pids[1]}" || fail "client 2 exited with $?"
wait_for "$OUT/out.1" "$alone" $((before + 1)) ||
    fail "client 1 printed no regular configuration of [1] after client 2 quit"
tail -n 2 "$OUT/out.1" >"$OUT/after-quit"
ring_ends=${ring1#regular configuration (ring }
ring_ends=${ring_ends%%)*}
grep -q "^== transitional configuration (ring $ring_ends ends): members \[1\], left \[2\]$" "$OUT/after-quit" ||
    fail "client 1: no transitional configuration of ring $ring_ends with left [2] before the regular one"

# Client 1 ends with its input (end of file).
exec 3>&-
wait "${pids[0]}" || fail "client 1 exited with $?"
[ "$(grep -cv 'CS_ERR_NOT_EXIST\|xyzzy' "$OUT/err.2")" = 0 ] || fail "client 2: unexpected errors"
[ ! -s "$OUT/err.1" ] || fail "client 1: unexpected errors"

for n in 1 2; do
    echo "--- client $n: stdout"
    cat "$OUT/out.$n"
    echo "--- client $n: stderr"
    cat "$OUT/err.$n"
done
[ $failed = 0 ] && echo "ok   chat: 20 lines in one order on both clients, the quit seen as transitional + regular"
exit $failed
