#!/bin/bash
# Defect 2, a deaf node: three hosts send 400 msgs/s of 1 KB each; a fourth
# process starts on a host that hears nothing from them (its own multicasts
# still reach them) and stays deaf for a while, then hears again. The healthy
# ring must settle: a handful of configuration changes while it lasts, not
# one every merge interval (known defect: about 150 callbacks in 20 s). The
# healthy processes' latency is reported; after the heal all four must merge.
. "$(dirname "$0")/../lib/scenario.sh"

DEAF=$(by_mode 8 20)
LIMIT=10                    # configuration callbacks a healthy process may see
lan_up 4 || fail "could not build the LAN"
L=$(now_us)
d0=$((L + 5000000)); h=$((d0 + DEAF * 1000000)); end=$((h + 6000000))
logs=""
for i in 1 2 3; do
    node_start "$i" "n$i" -e $end -w 3 -r 400 -g as -s 1000
    logs="$logs $OUT/n$i.log"
done
# shellcheck disable=SC2086
wait_traffic 5 $logs >/dev/null || fail "no common ring of 3 within 5 s of the launch"
fault_deaf 4 1 2 3
sleep_until $d0
node_start 4 n4 -e $end -r 50
sleep_until $h
heal
nodes_wait

# shellcheck disable=SC2086
{
    c=$(configs_between $d0 $h $logs)
    lat=$(latency_between $d0 $h $logs)
    m=$(time_to_config $h 4 $logs "$OUT/n4.log")
}
figures="$DEAF s deaf: up to $c configuration callbacks per healthy process (limit $LIMIT), their latency p50 ${lat% *} ms p99 ${lat#* } ms; all 4 merged $m ms after it hears"
# shellcheck disable=SC2086
judge --faults-end $h --bound 6000 $logs "$OUT/n4.log" || { show_verdict; fail "$figures: the checker found violations"; }
[ "$c" -le $LIMIT ] || fail "$figures (the ring does not settle)"
pass "$figures, $JUDGED deliveries judged"
