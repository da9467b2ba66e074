#!/bin/bash
# Scenario 4, churn: traffic throughout (every process 50 msgs/s, all four
# guarantees, some messages fragmented) while random faults follow one
# another: partitions and heals, kill -9 and restart, SIGSTOP past the token
# timeout and SIGCONT, one-way loss, random loss, a link down and up. Then
# everything heals; the checker judges the run, and every live process must
# end in one configuration of all of them.
# SEED=n replays a run's sequence of faults (printed in the result line).
. "$(dirname "$0")/../lib/scenario.sh"

HOSTS=$(by_mode 4 6)
FAULTS=$(by_mode 28 300)    # seconds of churn
SETTLE=10                   # seconds from the last heal to the end
SEED=${SEED:-$$}
RANDOM=$SEED
lan_up "$HOSTS" || fail "could not build the LAN"
L=$(now_us)
fe=$((L + (5 + FAULTS) * 1000000)); end=$((fe + SETTLE * 1000000))
# One process per host, and a second one on host 1.
live=()
for h in $(seq 1 "$HOSTS"); do
    node_start "$h" "p$h" -e $end -w $((HOSTS + 1)) -r 50
    live+=("p$h")
done
node_start 1 q1 -e $end -w $((HOSTS + 1)) -r 50
live+=(q1)
# (the logs, not a glob: they may not exist yet)
live_logs=("${live[@]/%/.log}")
wait_traffic 10 "${live_logs[@]/#/$OUT/}" >/dev/null || fail "no common ring of $((HOSTS + 1)) within 10 s of the launch"

pick() { echo $((RANDOM % $1)); }
# nap MIN_MS SPAN_MS: sleep a random time in [MIN, MIN + SPAN).
nap() { sleep "$(awk -v m="$(($1 + RANDOM % $2))" 'BEGIN { printf "%.3f", m / 1000 }')"; }
declare -A done_count
restarts=0
# The faults come in rounds, each a shuffle of the six kinds, so that even a
# short run has every kind once.
queue=()
next_kind() {
    local i j t
    if [ ${#queue[@]} -eq 0 ]; then
        queue=(0 1 2 3 4 5)
        for i in 5 4 3 2 1; do
            j=$(pick $((i + 1))); t=${queue[$i]}; queue[$i]=${queue[$j]}; queue[$j]=$t
        done
    fi
    kind=${queue[0]}
    queue=("${queue[@]:1}")
}

last=$(now_us)
while [ $(($(now_us) + 5000000)) -lt $fe ]; do
    next_kind
    case $kind in
    0)  # a random split into two non-empty sides
        a="" b=""
        for h in $(seq 1 "$HOSTS"); do
            if [ "$(pick 2)" = 0 ]; then a="$a $h"; else b="$b $h"; fi
        done
        [ -z "$a" ] && { a=$(echo $b | cut -d' ' -f1); b=$(echo $b | cut -d' ' -f2-); }
        [ -z "$b" ] && { b=$(echo $a | cut -d' ' -f1); a=$(echo $a | cut -d' ' -f2-); }
        fault_partition "$a" "$b"; f=partition; nap 2000 3000; heal ;;
    1)  # kill -9, restart on the same host a little later (a new node id).
        # The restart happens with the host cut off, and the cut heals once
        # the new process has joined its group: deliveries in a configuration
        # installed before evs_join returns are lost to the application (see
        # docs/RELIABILITY.md), which the checker would rightly count as
        # violations. OPEN_RESTART=1 restarts in the open, to show them.
        # live[0] is p1, live[HOSTS] is q1, both on host 1.
        # Only the processes alone on their host (index 1.. of live: host 1
        # has two, which the cut would not separate).
        i=$((1 + $(pick $((HOSTS - 1))))); n=${live[$i]}; hh=${HOST_OF[$n]}
        node_kill "$n"; f=kill; nap 1000 2000
        restarts=$((restarts + 1))
        if [ "${OPEN_RESTART:-0}" != 1 ]; then
            fault_partition "$hh" "$(seq 1 "$HOSTS" | grep -vx "$hh" | tr '\n' ' ')"
        fi
        node_start "$hh" "r$restarts" -e $end -r 50
        for _ in $(seq 50); do grep -q '^C' "$OUT/r$restarts.log" 2>/dev/null && break; sleep 0.1; done
        heal
        live[$i]="r$restarts" ;;
    2)  # paused past the token timeout (1 s)
        n=${live[$(pick ${#live[@]})]}
        node_stop "$n"; f=pause; nap 1500 1500; node_cont "$n" ;;
    3)  # one host stops hearing another
        x=$((1 + $(pick "$HOSTS"))); y=$((1 + (x + $(pick $((HOSTS - 1)))) % HOSTS))
        fault_deaf "$x" "$y"; f=oneway; nap 2000 2000; heal "$x" ;;
    4)  # 10% random loss everywhere
        for h in $(seq 1 "$HOSTS"); do fault_loss "$h" 0.10; done
        f=loss; nap 2000 2000; heal ;;
    5)  # a cable pulled and plugged back
        x=$((1 + $(pick "$HOSTS"))); link_down "$x"; f=link; nap 1500 1500; link_up "$x" ;;
    esac
    done_count[$f]=$((${done_count[$f]:-0} + 1))
    last=$(now_us)      # this fault has just ended
    nap 300 1200
done
fe=$last
nodes_wait

faults=""
for f in partition kill pause oneway loss link; do faults="$faults $f ${done_count[$f]:-0},"; done
c=$(configs_between 0 99999999999999999 "$OUT"/*.log)
judge --faults-end $fe --bound $(((SETTLE - 2) * 1000)) "$OUT"/*.log
rc=$?
settle=$(sed -n 's/.*configuration \([0-9]*\) ms after the fault/\1/p' "$OUT/verdict" | sort -n | tail -n 1)
figures="seed $SEED, $FAULTS s over $HOSTS hosts:${faults%,}; up to $c configuration callbacks per process; merged ${settle:-?} ms after the last fault ended"
[ $rc -eq 0 ] || { show_verdict; fail "$figures: the checker found violations"; }
pass "$figures, $JUDGED deliveries judged"
