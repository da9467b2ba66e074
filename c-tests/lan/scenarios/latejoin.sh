#!/bin/bash
# A process started into a busy ring (not in the default list: run.sh
# latejoin). Three hosts send 400 msgs/s; a fourth process starts on a fourth
# host and joins the group as soon as evs_initialize returns. evs_initialize
# returns only once the first configuration is installed, and a delivery
# reaches only the handles that have joined its group at that moment, so the
# messages delivered between the two are lost to the application: the
# checker sees agreement, causality and total order broken for that process.
# Passes when the checker is clean.
. "$(dirname "$0")/../lib/scenario.sh"

lan_up 4 || fail "could not build the LAN"
L=$(now_us)
j=$((L + 4000000)); end=$((j + 6000000))
logs=""
for i in 1 2 3; do
    node_start "$i" "n$i" -e $end -w 3 -r 400 -g as -s 1000
    logs="$logs $OUT/n$i.log"
done
# shellcheck disable=SC2086
wait_traffic 4 $logs >/dev/null || fail "no common ring of 3 within 4 s of the launch"
sleep_until $j
node_start 4 n4 -e $end -r 50
nodes_wait
# shellcheck disable=SC2086
judge --faults-end $j --bound 4000 $logs "$OUT/n4.log" || {
    show_verdict | grep -v 'installed its final' | head -n 8
    fail "a process joining a busy ring: $(grep -c 'P[0-9]' "$OUT/verdict") violations reported for it"
}
pass "a process joined a busy ring, $JUDGED deliveries judged"
