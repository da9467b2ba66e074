#!/bin/bash
# A process started into a busy ring (not in the default list: run.sh
# latejoin). evs_initialize returns only once the process's first
# configuration is installed, and a delivery reaches only the handles that
# have joined its group at that moment, so the messages delivered between the
# two are lost to the application, which the checker sees as agreement,
# causality and total order broken for that process. The window is widest
# when the first configuration releases a backlog at once: here host 1 is cut
# off, so that each newcomer's first ring is {n1, newcomer} and n1's messages
# queued during the change go out at the install. Four newcomers in turn.
# Passes when the checker is clean.
. "$(dirname "$0")/../lib/scenario.sh"

lan_up 2 || fail "could not build the LAN"
L=$(now_us)
end=$((L + 22000000))
node_start 1 n1 -e $end -w 2 -r 400 -g as -s 1000
node_start 2 n2 -e $end -w 2 -r 400 -g as -s 1000
wait_traffic 4 "$OUT/n1.log" "$OUT/n2.log" >/dev/null || fail "no common ring of 2 within 4 s of the launch"
for j in 1 2 3 4; do
    fault_partition 1 2
    sleep 1
    node_start 1 "j$j" -e $end -r 50
    for _ in $(seq 50); do grep -q '^C' "$OUT/j$j.log" 2>/dev/null && break; sleep 0.1; done
    heal
    sleep 2.5
done
fe=$(now_us)
nodes_wait
judge --faults-end "$fe" --bound 4000 "$OUT"/*.log || {
    show_verdict | grep -v 'installed its final' | head -n 8
    fail "processes joining a busy ring: $(grep -c 'P[0-9]' "$OUT/verdict") violations reported"
}
pass "4 processes joined a busy ring, $JUDGED deliveries judged"
