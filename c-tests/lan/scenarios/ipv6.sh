#!/bin/bash
# Scenario 6, IPv6 multicast across the LAN (loopback cannot carry it: an IPv6
# multicast sent on lo does not come back). Three hosts with fd00:99::<i>/64
# bound by EVS_BINDNETADDR; the group is the IPv6 default, ff15::efc0:4d04
# (site-local scope, so no interface in the socket address; the interface is
# pinned by IPV6_MULTICAST_IF and the join). They form one ring, deliver a
# mix of all guarantees, and one is killed; the checker judges the run.
. "$(dirname "$0")/../lib/scenario.sh"

LAN_V6=1
lan_up 3 || fail "could not build the LAN"
L=$(now_us)
k=$((L + 5000000)); end=$((k + 6000000))
for h in 1 2 3; do
    node_start "$h" "n$h" -e $end -w 3 -r 200
done
logs=("$OUT/n1.log" "$OUT/n2.log" "$OUT/n3.log")
formed=$(wait_config "$L" 3 5 "${logs[@]}")
if [ "$formed" = never ]; then
    for h in 1 2 3; do sed "s/^/     | n$h: /" "$OUT/n$h.err"; done
    in_host 1 ip -6 maddr show dev eth0 | sed 's/^/     | h1: /'
    fail "no ring of 3 over IPv6 multicast within 5 s"
fi
sleep_until $k
node_kill n3
m=$(wait_config $k 2 5 "${logs[@]:0:2}")
nodes_wait
figures="ring of 3 over [ff15::efc0:4d04]:5405 $formed ms after the launch; kill to configuration $m ms"
judge --faults-end $k --bound 4000 "${logs[@]}" || { show_verdict; fail "$figures: the checker found violations"; }
pass "$figures, $JUDGED deliveries judged"
