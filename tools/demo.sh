#!/bin/bash
# make demo: a story in about 15 seconds, on loopback only. Three evs-chat
# processes (tools/evs-chat.c, node ids 1, 2 and 3) form a ring and exchange
# ordered messages; node 3 is killed with kill -9; nodes 1 and 2 print the
# transitional and then the regular configuration without it and go on
# talking; node 3 comes back, the rings merge, and the talk goes on with all
# three. The script narrates each step ("== ...") and shows the processes'
# output interleaved, each line prefixed by its node ("  node 2 | ...").
#
# It checks that the story happened: one order of the messages on every node,
# node 3 reported left by both survivors (transitional configuration, then
# the regular one of [1 2]), the merge seen by all three, and everyone's
# clean exit. Exit status 0 if so; 1 at the first step that did not happen
# (saying which), 2 if not built.
#
# Run from the source tree after `make` (make demo does both). DEMO_PACE: the
# pause between steps, for the reader (1 s; c-check uses less). Its own
# multicast group and port (from the process id), so that it does not meet
# other rings on this machine. The processes' output is kept in
# $DEMO_OUT (build/demo)/node-N.log.
set -u

OUT=${DEMO_OUT:-build/demo}
CHAT=build/tools/evs-chat
export LD_LIBRARY_PATH=build/lib
unset EVS_CONFIG EVS_KEYFILE EVS_LOG EVS_NODEID EVS_TRANSPORT EVS_MEMBERS EVS_BINDNETADDR
export EVS_MCASTADDR=239.192.$((100 + $$ % 150)).$(($$ / 150 % 250 + 1))
export EVS_MCASTPORT=$((46000 + $$ % 2000 * 2))

if [ ! -x "$CHAT" ] || [ ! -e build/lib/libevs.so ]; then
    echo "demo: build first (make): $CHAT or build/lib/libevs.so is missing" >&2
    exit 2
fi
rm -rf "$OUT"
mkdir -p "$OUT"

declare -A pid
t0=$(date +%s%N)
# Every process we started is killed on exit, whatever happens.
cleanup() {
    for n in "${!pid[@]}"; do kill -9 "${pid[$n]}" 2>/dev/null; done
    exec 3>&- 4>&- 5>&- 2>/dev/null
}
trap cleanup EXIT
trap 'echo "demo: interrupted"; exit 130' INT TERM

# say WHAT: narrate the next step, after a pause for the reader (DEMO_PACE seconds, 1 by default)
steps=0
say() {
    [ $steps -gt 0 ] && sleep "${DEMO_PACE:-1}"
    steps=$((steps + 1))
    printf '\n== %s\n' "$*"
}
# problem WHAT: the story did not happen; say so and stop
problem() {
    echo
    echo "== the story did NOT happen as told: $*"
    echo "   (the processes' output: $OUT/node-N.log)"
    exit 1
}

# prefix N: each line of the input to our stdout prefixed with "  node N | ", then to node-N.log
# (in that order, so that a line seen in the log has been shown)
prefix() {
    local line
    while IFS= read -r line; do
        printf '  node %s | %s\n' "$1" "$line"
        printf '%s\n' "$line" >>"$OUT/node-$1.log"
    done
}

# start N: evs-chat with node id N, commands through the fifo in-N held open
# on fd 2+N, output (stdout and stderr) into node-N.log and on our stdout
# with the prefix "  node N | ". A node started again appends to its log.
start() {
    local n=$1
    rm -f "$OUT/in-$n"
    mkfifo "$OUT/in-$n"
    EVS_NODEID=$n "$CHAT" -q -t <"$OUT/in-$n" > >(prefix $n) 2>&1 &
    pid[$n]=$!
    eval "exec $((n + 2))>\"\$OUT/in-\$n\""
}

# to N COMMAND: type a command into node N
to() { printf '%s\n' "$2" >&$(($1 + 2)); }

# seen N PATTERN [COUNT]: node N's log (from line FROM[N]) has COUNT lines matching
# PATTERN (default 1); waits up to 10 s
declare -A from
seen() {
    local i
    for i in $(seq 200); do
        [ "$(tail -n +"${from[$1]:-1}" "$OUT/node-$1.log" 2>/dev/null | grep -c -- "$2")" -ge "${3:-1}" ] && return 0
        sleep 0.05
    done
    return 1
}
# mark N: later seen N looks only at what node N prints from now on
mark() { from[$1]=$(($(wc -l <"$OUT/node-$1.log" 2>/dev/null || echo 0) + 1)); }
# settle: let the last lines through before the next narration
settle() { sleep "${1:-0.3}"; }

# same_order NAME N...: the nodes' chat lines (from their marks) are one sequence
same_order() {
    local name=$1 n first=""
    shift
    for n in "$@"; do
        tail -n +"${from[$n]:-1}" "$OUT/node-$n.log" | sed -n 's/^[0-9:.]* \(\[node .*\)/\1/p' >"$OUT/$name.$n"
        if [ -z "$first" ]; then
            first=$n
        elif ! cmp -s "$OUT/$name.$first" "$OUT/$name.$n"; then
            problem "$name: nodes $first and $n printed the messages in different orders"
            return
        fi
    done
    local nodes="$*"
    echo "   (checked: nodes ${nodes// /, } printed these $(wc -l <"$OUT/$name.$first") lines in one order;" \
        "senders: $(sed 's/^\[node \([0-9]*\).*/\1/' "$OUT/$name.$first" | paste -sd' '))"
}

cfg='configuration (ring [0-9]*:[0-9]*'
say "libevs demo: three processes on this machine, each running evs-chat with its own node id."
echo "   They find each other over UDP multicast on loopback ($EVS_MCASTADDR port $EVS_MCASTPORT);"
echo "   no daemon: each process runs the Totem protocol itself. Lines starting 'node N |' are"
echo "   what process N prints: a message as [node SENDER -> GROUP] text, a change of membership"
echo "   as '== regular/transitional configuration (ring REPRESENTATIVE:SEQUENCE)'."

say "1. nodes 1, 2 and 3 start; they form one ring"
for n in 1 2 3; do start $n; done
for n in 1 2 3; do
    seen $n "^[0-9:.]* == regular $cfg): members \[1 2 3\]" || problem "node $n: no ring of [1 2 3]"
done
settle

say "2. each joins the group 'demo' and sends two lines at once (agreed order)"
for n in 1 2 3; do
    to $n "j demo"
    to $n "i"
done
# Everyone has joined (i answers after the join) before anyone sends.
for n in 1 2 3; do seen $n 'groups joined: demo$' || problem "node $n did not join demo"; done
settle
for n in 1 2 3; do mark $n; done
for n in 1 2 3; do
    to $n "s hello from node $n"
    to $n "s node $n: second line"
done
for n in 1 2 3; do seen $n '^[0-9:.]* \[node [123] -> demo\]' 6 || problem "node $n: not every hello arrived"; done
settle
same_order hellos 1 2 3

say "3. node 3 is killed (kill -9): it cannot say goodbye; the others notice"
echo "   when the token stops coming back (token timeout + consensus: about 2 s)"
for n in 1 2; do mark $n; done
kill -9 "${pid[3]}"
{ wait "${pid[3]}"; } 2>/dev/null   # (bash's "Killed" notice)
unset 'pid[3]'
exec 5>&-
killed=$(date +%s%N)
to 1 "s node 1: is anyone there? (sent right after the kill)"

say "4. nodes 1 and 2 print a transitional configuration (the members that carry on"
echo "   from the old ring, and who left), then the new regular configuration"
for n in 1 2; do
    if seen $n "^[0-9:.]* == regular $cfg): members \[1 2\]$"; then
        tail -n +"${from[$n]}" "$OUT/node-$n.log" | grep -q "== transitional $cfg ends): members \[1 2\], left \[3\]$" ||
            problem "node $n: no transitional configuration with node 3 left"
    else
        problem "node $n: no regular configuration of [1 2] after the kill"
    fi
done
echo "   (nodes 1 and 2 installed the ring without node 3 within $((($(date +%s%N) - killed) / 1000000)) ms of the kill)"
settle

say "5. nodes 1 and 2 go on talking"
to 2 "s node 2: node 3 is gone, we carry on"
to 1 "s node 1: agreed"
for n in 1 2; do seen $n '^[0-9:.]* \[node [12] -> demo\]' 3 || problem "node $n: the talk of 1 and 2 did not arrive"; done
settle
same_order pair 1 2

say "6. node 3 comes back (a new process, the same node id): it forms a ring of its own,"
echo "   then the two rings merge: each side sees a transitional configuration (the members"
echo "   it comes with), then the regular configuration of all three (and who joined)"
for n in 1 2 3; do mark $n; done
start 3
for n in 1 2; do
    seen $n "^[0-9:.]* == regular $cfg): members \[1 2 3\], joined \[3\]$" || problem "node $n: no merge with node 3"
done
seen 3 "^[0-9:.]* == regular $cfg): members \[1 2 3\]" || problem "node 3: no merge with nodes 1 and 2"
settle

say "7. all three talk again, in one order"
for n in 1 2 3; do mark $n; done
to 3 "j demo"
to 3 "i"
seen 3 'groups joined: demo$' || problem "node 3 did not join demo"
to 3 "s node 3: I am back"
to 1 "s node 1: welcome back"
to 2 "t safe"
to 2 "s node 2: this one is safe: delivered once every node has it"
for n in 1 2 3; do seen $n '^[0-9:.]* \[node [123] -> demo' 3 || problem "node $n: not every line arrived"; done
settle
same_order after 1 2 3

say "8. everyone quits (q): a graceful leave, so the others install the new ring at once"
for n in 3 2 1; do
    to $n "q"
    eval "exec $((n + 2))>&-"
    wait "${pid[$n]}" || problem "node $n exited with status $?"
    unset "pid[$n]"
    settle 0.2
done

secs=$((($(date +%s%N) - t0) / 1000000))
echo
echo "== the story happened as told ($((secs / 1000)).$((secs % 1000 / 100)) s): one order everywhere,"
echo "   node 3's failure reported by both survivors, the merge seen by all three."
echo "   The processes' output: $OUT/node-N.log"
