#!/bin/bash
# Scenario 1 (and defect 5, the loss crawl): three hosts, one process each,
# sending 400 msgs/s of 1 KB, agreed and safe alternately. A run without loss,
# then the same run with 5% random loss on every host's input. Under loss the
# ring must not change configuration, everyone must deliver everything, the
# checker must find nothing, and the self-delivery latency must meet the
# target (p50 <= 10 ms, p99 <= 100 ms; three times that in the short run).
. "$(dirname "$0")/../lib/scenario.sh"

SECS=$(by_mode 7 60)
LOSS=0.05
RATE=400
QUIET=6     # seconds without sending before the end of a lossy run: under the
            # crawl the backlog takes seconds to drain, and what is not
            # delivered by the end would count as lost (2 s without loss)

lan_up 3 || fail "could not build the LAN"

# phase TAG LOSS [SEND...]: one run; sets the figures in TAG_* variables.
phase() {
    local tag=$1 p=$2 t0 end logs cfg und lat send
    shift 2
    send=${*:--r $RATE}
    local quiet=$QUIET
    [ "$p" = 0 ] && quiet=2
    mkdir -p "$OUT/$tag"
    end=$(($(now_us) + (SECS + 2 + quiet) * 1000000))
    for h in 1 2 3; do
        node_start "$h" "$tag/n$h" -e $end -q $((end - quiet * 1000000)) -w 3 $send -g as -s 1000
    done
    logs="$OUT/$tag/n1.log $OUT/$tag/n2.log $OUT/$tag/n3.log"
    # shellcheck disable=SC2086
    t0=$(wait_traffic 10 $logs) || { echo "     | $tag: no common ring in 10 s"; return 1; }
    if [ "$p" != 0 ]; then
        for h in 1 2 3; do fault_loss "$h" "$p"; done
    fi
    nodes_wait
    heal
    # shellcheck disable=SC2086
    {
        cfg=$(configs_between "$t0" 99999999999999999 $logs)
        und=$(undelivered $logs)
        lat=$(latency_between "$t0" 99999999999999999 $logs)
        eval "${tag}_cfg=$cfg ${tag}_und=$und ${tag}_p50=${lat% *} ${tag}_p99=${lat#* }"
        eval "${tag}_rate=$(summary_min msgs_per_s $logs)"
        if ! judge --faults-end "$t0" $logs; then
            echo "     | $tag: the checker found violations"
            show_verdict
            return 1
        fi
        eval "${tag}_judged=$JUDGED"
    }
}

phase clean 0 || fail "the run without loss failed"
phase lossy $LOSS || fail "the run with $LOSS loss failed"
# The long run also floods (as fast as flow control allows), for the
# throughput with and without loss.
flood=""
if [ "$MODE" = long ]; then
    SECS=20
    phase fclean 0 -f || fail "the flood without loss failed"
    phase flossy $LOSS -f || fail "the flood with $LOSS loss failed"
    # shellcheck disable=SC2154
    flood="; flood: $fclean_rate msgs/s (p50 $fclean_p50 ms) without loss, $flossy_rate msgs/s (p50 $flossy_p50 ms, $flossy_cfg config changes) with"
fi

# shellcheck disable=SC2154
figures="no loss: p50 ${clean_p50} ms p99 ${clean_p99} ms ${clean_rate} msgs/s; 5% loss: p50 ${lossy_p50} ms p99 ${lossy_p99} ms ${lossy_rate} msgs/s, ${lossy_cfg} config changes, ${lossy_judged} deliveries judged$flood"
# shellcheck disable=SC2154
[ "$lossy_cfg" -eq 0 ] || fail "$figures (a configuration change under loss)"
# shellcheck disable=SC2154
[ "$lossy_und" -eq 0 ] || fail "$figures ($lossy_und messages not delivered)"
# The target holds in the long run. The short run (in make check, on whatever
# machine CI has) allows three times as much, which still fails the crawl (p50
# about a second): the exact bound is guarded in virtual time, without noise, by
# the core's test fault_tests::loss_does_not_make_the_ring_crawl.
P50_MAX=$(by_mode 30 10)
P99_MAX=$(by_mode 300 100)
awk -v a="$lossy_p50" -v b="$lossy_p99" -v x="$P50_MAX" -v y="$P99_MAX" 'BEGIN { exit !(a <= x && b <= y) }' ||
    fail "$figures (the crawl: target p50 <= $P50_MAX ms, p99 <= $P99_MAX ms)"
pass "$figures"
