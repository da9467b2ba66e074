# evs_node processes inside the hosts (sourced; bash).
#
# Each process is named; it writes $OUT/<name>.log (its callbacks, judged by
# evs-check) and $OUT/<name>.err. `ip netns exec` and `env` both exec, so the
# pid recorded is the evs_node itself: kill -9 / SIGSTOP reach it directly.

declare -A PID HOST_OF

# node_start H NAME ARGS...: start evs_node on host H, bound to its address,
# with the default group and port (EVS_* from the caller's environment pass).
node_start() {
    local h=$1 name=$2 bind
    shift 2
    bind=$(host_addr "$h")
    [ "${LAN_V6:-0}" = 1 ] && bind=$(host_addr6 "$h")
    ip netns exec "$(host_ns "$h")" env EVS_BINDNETADDR="$bind" LD_LIBRARY_PATH="$LIBDIR" \
        "$NODE" -l "$OUT/$name.log" "$@" 2>"$OUT/$name.err" &
    PID[$name]=$!
    HOST_OF[$name]=$h
}

# (the braces keep bash's "Killed" job notice off the output)
node_kill() { { kill -9 "${PID[$1]}"; wait "${PID[$1]}"; } 2>/dev/null; }
node_stop() { kill -STOP "${PID[$1]}" 2>/dev/null; }
node_cont() { kill -CONT "${PID[$1]}" 2>/dev/null; }

# nodes_wait: wait for every process started (they end at their -e time).
nodes_wait() {
    local n
    for n in "${!PID[@]}"; do
        wait "${PID[$n]}" 2>/dev/null
    done
}

# nodes_reap: on exit, no process of ours may survive (stopped ones included).
nodes_reap() {
    local n
    for n in "${!PID[@]}"; do
        { kill -CONT "${PID[$n]}"; kill -9 "${PID[$n]}"; wait "${PID[$n]}"; } 2>/dev/null
    done
}

now_us() { date +%s%6N; }

# sleep_until T_US: sleep until the absolute time T (microseconds).
sleep_until() {
    local d=$(($1 - $(now_us)))
    [ "$d" -gt 0 ] && sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1e6 }')"
    return 0
}

# wait_traffic TIMEOUT_S LOG...: wait until every log has a send (the -w
# handshake is over: all are in one ring); prints the time; fails on timeout.
wait_traffic() {
    local limit=$(($(now_us) + $1 * 1000000)) l ok
    shift
    while [ "$(now_us)" -lt "$limit" ]; do
        ok=1
        for l in "$@"; do
            grep -q '^S ' "$l" 2>/dev/null || { ok=0; break; }
        done
        [ $ok = 1 ] && { now_us; return 0; }
        sleep 0.1
    done
    return 1
}
