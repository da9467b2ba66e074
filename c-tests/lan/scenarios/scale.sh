#!/bin/bash
# Scenario 5, scale: many processes (short: 4 hosts x 4 = 16, long: 8 x 8 =
# 64) form one ring, deliver, survive a partition into two halves and merge.
# Reports the time from the launch to the one ring of all, the delivered
# throughput, and the partition and merge times.
. "$(dirname "$0")/../lib/scenario.sh"

HOSTS=$(by_mode 4 8)
PER=$(by_mode 4 8)
RATE=$(by_mode 50 2)        # msgs/s per process (64 x 2: the window per rotation is the limit)
FORM=$(by_mode 8 30)        # seconds allowed to form the ring and start
HOLD=$(by_mode 5 8)
SETTLE=$(by_mode 8 15)
QUIET=$(by_mode 1 5)        # seconds without sending before the end: all is delivered by then
N=$((HOSTS * PER))
lan_up "$HOSTS" || fail "could not build the LAN"
L=$(now_us)
p=$((L + FORM * 1000000)); h=$((p + HOLD * 1000000)); end=$((h + SETTLE * 1000000))
logs=() a=() b=()
for hh in $(seq 1 "$HOSTS"); do
    for k in $(seq 1 "$PER"); do
        node_start "$hh" "n$hh.$k" -e $end -q $((end - QUIET * 1000000)) -w $N -r $RATE
        logs+=("$OUT/n$hh.$k.log")
        if [ "$hh" -le $((HOSTS / 2)) ]; then a+=("$OUT/n$hh.$k.log"); else b+=("$OUT/n$hh.$k.log"); fi
    done
done
formed=$(wait_config "$L" $N "$FORM" "${logs[@]}")
sleep_until $p
fault_partition "$(seq -s ' ' 1 $((HOSTS / 2)))" "$(seq -s ' ' $((HOSTS / 2 + 1)) "$HOSTS")"
pa=$(wait_config $p $((N / 2)) "$HOLD" "${a[@]}")
pb=$(wait_config $p $((N / 2)) "$HOLD" "${b[@]}")
sleep_until $h
heal
m=$(wait_config $h $N $((SETTLE - 2)) "${logs[@]}")
nodes_wait

rate=$(latency_between "$L" "$p" "${logs[@]}")
thr=$(summary_min msgs_per_s "${logs[@]}")
figures="$N processes: one ring $formed ms after the launch, $thr msgs/s delivered (latency p50 ${rate% *} ms p99 ${rate#* } ms), halves $pa/$pb ms after the partition, merged $m ms after the heal"
judge --faults-end $h --bound $(((SETTLE - 2) * 1000)) "${logs[@]}" || { show_verdict; fail "$figures: the checker found violations"; }
for v in "$formed" "$pa" "$pb" "$m"; do
    [ "$v" = never ] && fail "$figures (a configuration never came)"
done
pass "$figures, $JUDGED deliveries judged"
