#!/bin/bash
# Defect 3, a graceful leave that loses the leaver's last messages: three hosts
# send agreed messages at 400 msgs/s; for the last 60 ms before the third
# process finalizes, and 150 ms after, the other two miss its multicasts (its
# token still passes). The leaver delivers its own messages at once; it must
# not fall silent before the ring holds them (known defect: it left once it had
# delivered them itself, and the others never got the last ones). Every message
# the leaver delivered of its own must be delivered by the other two.
. "$(dirname "$0")/../lib/scenario.sh"

GROUP=239.192.77.4          # the default group
ROUNDS=$(by_mode 1 5)
lan_up 3 || fail "could not build the LAN"

# own_missing LEAVER_LOG OTHER_LOG: messages the leaver delivered of its own
# that the other never delivered.
own_missing() {
    awk 'FNR == 1 { file++ }
        file == 1 && $1 == "N" { me = $2 }
        file == 1 && $1 == "D" && $3 == me { own[$4] = 1 }
        file == 2 && $1 == "D" && $3 == me { got[$4] = 1 }
        END { n = 0; for (c in own) if (!(c in got)) n++; print n }' "$1" "$2"
}

missing=0 cut_sent=0 judged=0
for r in $(seq 1 "$ROUNDS"); do
    L=$(($(now_us) + 4000000)); end=$((L + 3000000))
    for i in 1 2 3; do
        leave=""
        [ "$i" = 3 ] && leave="-L $L"
        node_start "$i" "r$r.n$i" -e $end -w 3 -r 400 -g a -s 200 $leave
    done
    # shellcheck disable=SC2086
    wait_traffic 3 "$OUT/r$r.n1.log" "$OUT/r$r.n2.log" "$OUT/r$r.n3.log" >/dev/null ||
        fail "round $r: no common ring of 3 within 3 s of the launch"
    sleep_until $((L - 60000))
    cut=$(now_us)
    fault_mcast_deaf 1 3 $GROUP
    fault_mcast_deaf 2 3 $GROUP
    sleep_until $((L + 150000))
    heal
    nodes_wait
    for i in 1 2; do
        m=$(own_missing "$OUT/r$r.n3.log" "$OUT/r$r.n$i.log")
        missing=$((missing + m))
    done
    cut_sent=$((cut_sent + $(awk -v t="$cut" '$1 == "S" && $2 >= t' "$OUT/r$r.n3.log" | wc -l)))
    # Each round is its own history (the same hosts give the same node ids).
    judge "$OUT/r$r.n1.log" "$OUT/r$r.n2.log" "$OUT/r$r.n3.log" ||
        { show_verdict; fail "round $r: the checker found violations"; }
    judged=$((judged + JUDGED))
    PID=()
done

figures="$ROUNDS leave(s): $cut_sent messages sent by the leaver in its last 60 ms, unheard; $missing deliveries of them missing at the others"
[ "$missing" -eq 0 ] || fail "$figures (the leaver's last messages were lost)"
pass "$figures, $judged deliveries judged"
