#!/bin/bash
# Defect 4, a stale commit token holding a gatherer: ring {A,B,C} with
# traffic; C is killed (-9), and from that moment until after the survivors
# should have re-formed, B gets a commit token every 20 ms (from C's host, by
# examples/evs_forge_commit) that names it at its own hop, with a ring seq
# above any it has seen (a new one each time) and a representative whose
# joins it hears, but with members {A, B, X} where X runs nowhere: not the
# processors B gathers with. Only the check that a commit token's members are
# exactly proc_set - fail_set rejects it. Known defect: B takes each one,
# leaves gathering for a commit that cannot complete, and the survivors'
# ring comes late, after a singleton each. Passes when both survivors install
# {A,B} within token + consensus + 1 s of the kill, with one transitional and
# one regular callback each to the end, on a ring seq below the forged ones,
# and the checker is clean.
. "$(dirname "$0")/../lib/scenario.sh"

FORGE=$(by_mode 4 8)        # seconds of forged tokens from the kill on
BOUND=3200                  # ms: token 1000 + consensus 1200 + 1000 (run-multi's kill test)
FORGER=$PWD/target/release/examples/evs_forge_commit
[ -x "$FORGER" ] || fail "no $FORGER: run make first"
lan_up 3 || fail "could not build the LAN"
L=$(now_us)
k=$((L + 5000000)); f=$((k + FORGE * 1000000)); end=$((f + 5000000))
for i in 1 2 3; do
    node_start "$i" "n$i" -e $end -w 3 -r 100
done
logs="$OUT/n1.log $OUT/n2.log"
# shellcheck disable=SC2086
wait_traffic 5 $logs "$OUT/n3.log" >/dev/null || fail "no common ring of 3 within 5 s of the launch"

# The node ids (each log's N line). A derived id is the host part of the
# address over the unicast port (src/net/nodeid.rs): B's port is in its id.
id() { awk '$1 == "N" { print $2; exit }' "$OUT/$1.log"; }
a=$(id n1) b=$(id n2)
[ $((a >> 16)) = 1 ] && [ $((b >> 16)) = 2 ] || fail "node ids $a $b are not derived from hosts 1 and 2"
x=$(((250 << 16) | 1))      # "10.99.0.250, port 1": no such processor
port=$((b & 0xffff))
in_host 2 ss -Hlun | grep -q "$(host_addr 2):$port " || fail "B ($b) has no socket on port $port"

sleep_until $k
# Forged ring seqs above any real one (fresh): a processor starts at 4 x its
# clock in microseconds (src/totem/processor.rs), and a ring adds 4 or so.
SEQ0=$((8 * $(now_us)))
node_kill n3
in_host 3 "$FORGER" --to "$(host_addr 2):$port" --sender $x --members "$a,$b,$x" --seq $SEQ0 \
    --hops 1 --every 20 --for $((FORGE * 1000)) >"$OUT/forger.out" 2>&1 &
forger=$!
# shellcheck disable=SC2086
m=$(wait_config $k 2 $((FORGE + 3)) $logs)
wait $forger || { sed 's/^/     | /' "$OUT/forger.out"; fail "the forger failed"; }
nodes_wait

# shellcheck disable=SC2086
{
    c=$(configs_between $k $end $logs)
    # The ring seq of the survivors' first regular configuration after the
    # kill: at or above SEQ0 if B took a forged token (it adopts its seq).
    seq=$(awk -v t="$k" '$1 == "C" && $3 == "R" && $2 >= t { print $5; exit }' "$OUT/n2.log")
}
figures="$(head -c 60 "$OUT/forger.out" | awk '{ print $1 }') forged commit tokens at B over ${FORGE} s from the kill: kill to {A,B} $m ms (limit $BOUND), up to $c configuration callbacks per survivor to the end (limit 2), first new ring seq ${seq:-none} (forged ones from $SEQ0)"
# shellcheck disable=SC2086
judge --faults-end $f --bound 5000 $logs "$OUT/n3.log" || { show_verdict; fail "$figures: the checker found violations"; }
[ "$m" != never ] && [ "$m" -le $BOUND ] || fail "$figures (the survivors' ring is late)"
[ "$c" -le 2 ] && [ "${seq:-0}" -lt $SEQ0 ] || fail "$figures (a forged token was taken)"
pass "$figures, $JUDGED deliveries judged"
