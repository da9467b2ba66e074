#!/bin/bash
# Scenario 2: five hosts flooding (agreed and safe, 1 KB) are split 3+2, then
# healed; then split 2+2+1 and healed at once. Measures, for each fault, the
# slowest process's time to the configuration of its side (partition to
# configuration) and to the configuration of all five (heal to merged); the
# checker judges the whole run.
#
# The run follows a fixed schedule from the launch, so that every process can
# be given the same end time (they must all log their end before any leaves).
. "$(dirname "$0")/../lib/scenario.sh"

HOLD=$(by_mode 4 15)        # seconds each partition lasts
SEND=$(by_mode "-r 1000" -f)  # short: 1000 msgs/s each, which keeps the logs small
SETTLE=$(by_mode 5 10)     # seconds from a heal to the next event
QUIET=$(by_mode 2 6)        # seconds without sending before the end: a flood's
                            # backlog takes seconds to drain
lan_up 5 || fail "could not build the LAN"
L=$(now_us)
s1=$((L + 5000000)); h1=$((s1 + HOLD * 1000000))
s2=$((h1 + SETTLE * 1000000)); h2=$((s2 + HOLD * 1000000))
end=$((h2 + SETTLE * 1000000))
logs=""
for h in 1 2 3 4 5; do
    node_start "$h" "n$h" -e $end -q $((end - QUIET * 1000000)) -w 5 $SEND -g as -s 1000
    logs="$logs $OUT/n$h.log"
done
# shellcheck disable=SC2086
wait_traffic 5 $logs >/dev/null || fail "no common ring of 5 within 5 s of the launch"

# split_time AT GROUPS...: the slowest side's time from AT to its configuration.
split_time() {
    local at=$1 g t worst=0 gl
    shift
    for g in "$@"; do
        gl=""
        for h in $g; do gl="$gl $OUT/n$h.log"; done
        # shellcheck disable=SC2086
        t=$(wait_config "$at" "$(echo $g | wc -w)" "$HOLD" $gl)
        [ "$t" = never ] && { echo never; return; }
        [ "$t" -gt "$worst" ] && worst=$t
    done
    echo "$worst"
}

sleep_until $s1
fault_partition "1 2 3" "4 5"
p1=$(split_time $s1 "1 2 3" "4 5")
sleep_until $h1
heal
# shellcheck disable=SC2086
m1=$(wait_config $h1 5 $((SETTLE - 1)) $logs)
sleep_until $s2
fault_partition "1 2" "3 4" "5"
p2=$(split_time $s2 "1 2" "3 4" "5")
sleep_until $h2
heal
# shellcheck disable=SC2086
m2=$(wait_config $h2 5 $((SETTLE - 1)) $logs)
nodes_wait
# How many configurations the slowest merge went through (a side that
# re-forms itself over and over before merging shows here).
# shellcheck disable=SC2086
c1=$(configs_between $h1 $s2 $logs)
# shellcheck disable=SC2086
c2=$(configs_between $h2 $end $logs)

# shellcheck disable=SC2086
rate=$(summary_min msgs_per_s $logs)
figures="3+2: partition to configuration $p1 ms, heal to merged $m1 ms ($c1 callbacks); 2+2+1: $p2 ms, $m2 ms ($c2 callbacks); $rate msgs/s"
# shellcheck disable=SC2086
judge --faults-end $h2 --bound $((SETTLE * 1000 - 1500)) $logs || { show_verdict; fail "$figures: the checker found violations"; }
for v in "$p1" "$m1" "$p2" "$m2"; do
    [ "$v" = never ] && fail "$figures (a configuration never came)"
done
pass "$figures, $JUDGED deliveries judged"
