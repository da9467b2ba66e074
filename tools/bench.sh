#!/bin/bash
# make bench: libevs's throughput, latency and CPU, beside raw UDP multicast.
#
# Three processes, one per host: on loopback by default (127.0.0.1, any
# user), or, as root with `ip netns`, on a LAN of three network namespaces on
# a bridge that this script creates and removes (c-tests/lan/lib/net.sh;
# nothing in the root namespace, no real interface). Trials, one after the
# other, each with fresh processes:
#   flood   sizes BENCH_SIZES x {1 sender, 3 senders} x {agreed, safe},
#           BENCH_SECONDS each (evs-bench -m flood / -m recv)
#   keyed   sizes BENCH_KEY_SIZES, 1 sender, agreed, with a key (every
#           datagram sealed: chacha20 + sha1, the defaults): the cost of crypto
#   latency 1 KiB at 1000 msgs/s from one sender, agreed and safe
#   raw     raw UDP multicast from host 1 to hosts 2 and 3 (raw-mcast), at
#           libevs's datagram size (EVS_NETMTU, default 1500, less 28 bytes of
#           IPv4 and UDP headers); once a datagram per sendmmsg entry, once
#           segmented (-g: up to 64 datagrams per buffer the kernel cuts up, as
#           the library sends runs of equal frames)
#   idle    3 evs-bench -m idle processes in one ring: utime + stime from
#           /proc/PID/stat over BENCH_IDLE_SECONDS
# Then tools/bench-report.py writes the table (bench.md) and the chart
# (bench.svg) into BENCH_OUT and prints the table.
#
# Environment:
#   BENCH_SECONDS=5        seconds per trial (flood, latency, raw)
#   BENCH_NET=auto         auto (lan as root with ip netns, else lo), lo, lan
#   BENCH_SIZES="100 1024 10240 65536 1048576"
#   BENCH_GUARANTEES="agreed safe"   BENCH_SENDERS="1 3"
#   BENCH_KEY_SIZES="1024 65536"  (none: no keyed trial)
#   BENCH_LAT_RATE=1000 BENCH_LAT_SIZE=1024
#   BENCH_IDLE_SECONDS=10  (0: no idle trial)
#   BENCH_OUT=build/bench  results.txt (every RESULT line, tagged), the
#                          processes' output per trial, bench.md, bench.svg
#   EVS_* variables reach the processes (e.g. EVS_WINDOW_SIZE=100).
set -u

cd "$(dirname "$0")/.." || exit 1
SECS=${BENCH_SECONDS:-5}
NET=${BENCH_NET:-auto}
SIZES=${BENCH_SIZES:-"100 1024 10240 65536 1048576"}
GUARANTEES=${BENCH_GUARANTEES:-"agreed safe"}
SENDERS=${BENCH_SENDERS:-"1 3"}
KEY_SIZES=${BENCH_KEY_SIZES:-"1024 65536"}
[ "$KEY_SIZES" = none ] && KEY_SIZES=""
LAT_RATE=${BENCH_LAT_RATE:-1000}
LAT_SIZE=${BENCH_LAT_SIZE:-1024}
IDLE_SECS=${BENCH_IDLE_SECONDS:-10}
OUT=${BENCH_OUT:-build/bench}
BIN=build/tools
LIBDIR=${BENCH_LIBDIR:-$PWD/build/lib}
N=3
RAW_SIZE=$((${EVS_NETMTU:-1500} - 28))
HZ=$(getconf CLK_TCK)

if [ "$NET" = auto ]; then
    NET=lo
    if [ "$(id -u)" = 0 ] && ip netns list >/dev/null 2>&1; then NET=lan; fi
fi
case $NET in
lo | lan) ;;
*) echo "bench: BENCH_NET must be auto, lo or lan" >&2; exit 64 ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT/trials"
RESULTS=$OUT/results.txt
: >"$RESULTS"

# --- the network --------------------------------------------------------------
# Ports: a range of our own per run, one port per trial, so that a process of
# an earlier trial (or another run on loopback) never joins this one.
PORT=$((20000 + ($$ % 4000) * 4))
declare -a LIVE=()

cleanup() {
    local p
    # TERM first: timeout(1) passes it on to the process it runs
    for p in "${LIVE[@]}"; do kill -TERM "$p" 2>/dev/null; done
    [ ${#LIVE[@]} -gt 0 ] && sleep 0.5
    for p in "${LIVE[@]}"; do
        { kill -CONT "$p"; kill -9 "$p"; wait "$p"; } 2>/dev/null
    done
    LIVE=()
    if [ "$NET" = lan ] && [ "${LAN_IS_UP:-0}" = 1 ]; then
        lan_down
        LAN_IS_UP=0
        echo "bench: namespaces removed"
    fi
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

if [ "$NET" = lan ]; then
    # Our own prefix (evb<pid>): the LAN tests' stale-namespace sweep (evl*)
    # leaves it alone, and ours below removes only evb* of dead runs.
    PFX=evb$$
    # shellcheck source=../c-tests/lan/lib/net.sh
    . c-tests/lan/lib/net.sh
    for ns in $(ns_list | grep -E '^evb[0-9]+(hub|h[0-9]+)$'); do
        pid=${ns#evb}
        pid=${pid%%[hv]*}
        [ -d "/proc/$pid" ] && continue
        ns_kill_all "$ns"
        ip netns del "$ns" 2>/dev/null && echo "bench: removed stale namespace $ns"
    done
    LAN_IS_UP=1
    if ! lan_up "$N" >"$OUT/lan-up.log" 2>&1; then
        echo "bench: could not build the namespace LAN:" >&2
        cat "$OUT/lan-up.log" >&2
        exit 1
    fi
    host_ip() { host_addr "$1"; }
    # on_host I CMD...: exec CMD in host I's namespace
    on_host() {
        local h=$1
        shift
        exec ip netns exec "$(host_ns "$h")" "$@"
    }
    WHERE="a LAN of $N network namespaces on a bridge (10.99.0.1-$N, prefix $PFX)"
else
    host_ip() { echo 127.0.0.1; }
    on_host() {
        shift
        exec "$@"
    }
    WHERE="loopback (127.0.0.1), $N processes"
fi

# --- the plan, for the progress lines ---------------------------------------
human_size() {
    case $1 in
    1048576) echo "1 MiB" ;;
    65536) echo "64 KiB" ;;
    10240) echo "10 KiB" ;;
    1024) echo "1 KiB" ;;
    *) echo "$1 B" ;;
    esac
}
ntrials=0
for s in $SIZES; do for n in $SENDERS; do for g in $GUARANTEES; do ntrials=$((ntrials + 1)); done; done; done
for s in $KEY_SIZES; do ntrials=$((ntrials + 1)); done
nflood=$ntrials
for g in $GUARANTEES; do ntrials=$((ntrials + 1)); done
ntrials=$((ntrials + 2))                            # raw, plain and segmented
[ "$IDLE_SECS" -gt 0 ] && ntrials=$((ntrials + 1))
# Expected seconds per trial: its length plus start-up and the drain.
est_total=$(((nflood + 2) * (SECS + 3) + 2 * (SECS + 2)))
[ "$IDLE_SECS" -gt 0 ] && est_total=$((est_total + IDLE_SECS + 6))
T0=$(date +%s)
done_est=0
k=0

clock() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# announce EST WHAT: the progress line of the next trial.
announce() {
    local est=$1 el left
    shift
    k=$((k + 1))
    el=$(($(date +%s) - T0))
    # scale what is left by how the finished trials kept to their estimate
    if [ "$done_est" -gt 0 ] && [ "$el" -gt 0 ]; then
        left=$(((est_total - done_est) * el / done_est))
    else
        left=$est_total
    fi
    printf '[%2d/%d] %-44s %3d s   (elapsed %s, about %s left)\n' "$k" "$ntrials" "$*" "$est" \
        "$(clock "$el")" "$(clock "$left")"
    done_est=$((done_est + est))
}

# --- one trial ------------------------------------------------------------------
# trial TAG SPEC...: SPEC is "HOST|program args"; the processes start together
# and are waited for; every RESULT line goes to results.txt after TAG and host.
trial() {
    local tag=$1 dir spec h i=0 p rc=0
    shift
    PORT=$((PORT + 2))
    dir=$OUT/trials/$(echo "$tag" | tr -c 'A-Za-z0-9=\n' '_' | sed 's/_*$//')
    mkdir -p "$dir"
    local -a pids=() hosts=()
    for spec in "$@"; do
        h=${spec%%|*}
        # shellcheck disable=SC2086
        (on_host "$h" env LD_LIBRARY_PATH="$LIBDIR" EVS_BINDNETADDR="$(host_ip "$h")" \
            EVS_MCASTPORT="$PORT" timeout -k 5 $((SECS + 90)) ${spec#*|}) \
            >"$dir/$i.out" 2>"$dir/$i.err" &
        pids+=($!)
        hosts+=("$h")
        LIVE+=($!)
        i=$((i + 1))
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || rc=1
        grep '^RESULT' "$dir/$i.out" | sed "s/^/$tag host=${hosts[$i]} /" >>"$RESULTS"
    done
    LIVE=()
    return $rc
}

# summary_line TAG: the figures of a trial, from its RESULT lines.
summary_line() {
    grep -F "$1 " "$RESULTS" | awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          n++; mb += v["MB_per_s"]; m += v["msgs_per_s"]; cpu += v["cpu_s"]
          err += v["lost"] + v["order_errs"] + v["content_errs"]
          if (v["complete"] != 1) inc++
          if (v["mode"] == "lat" || v["lat_n"] > 0) lat = lat sprintf(" %.0f/%.0f", v["lat_p50_us"], v["lat_p99_us"])
          d[v["digest"]] = 1 }
        END {
          nd = 0; for (x in d) nd++
          printf "         %d processes: %.0f msgs/s, %.1f MB/s at each (mean), cpu %.1f s", n, m / n, mb / n, cpu
          if (lat != "") printf ", latency p50/p99 us:%s", lat
          if (err) printf ", %d ERRORS", err
          if (inc) printf ", %d INCOMPLETE", inc
          if (nd > 1 && err == 0) printf ", DIGESTS DIFFER"
          if (n < 3) printf ", ONLY %d RESULT LINES", n
          printf "\n" }'
}

make_tools() {
    mkdir -p "$BIN"
    ${CC:-cc} -std=c99 -O2 -Wall -Wextra -Werror -Iinclude tools/evs-bench.c -Lbuild/lib -levs \
        -o "$BIN/evs-bench" || exit 1
    ${CC:-cc} -std=c99 -O2 -Wall -Wextra -Werror tools/raw-mcast.c -o "$BIN/raw-mcast" || exit 1
}
make_tools

{
    echo "# libevs benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
    echo "# network: $WHERE"
    echo "# machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# seconds per trial: $SECS; raw UDP datagram: $RAW_SIZE B; idle: $IDLE_SECS s"
} >"$OUT/header.txt"
echo "bench: $WHERE; $ntrials trials of about $SECS s, about $(clock $est_total) in all"
echo "bench: results in $OUT"

# --- flood trials ---------------------------------------------------------------
for s in $SIZES; do
    for n in $SENDERS; do
        for g in $GUARANTEES; do
            what="flood $(human_size "$s"), $n sender$([ "$n" = 1 ] || echo s), $g"
            announce $((SECS + 3)) "$what"
            specs=()
            for h in $(seq 1 $N); do
                if [ "$h" -le "$n" ]; then
                    specs+=("$h|$BIN/evs-bench -q -m flood -s $s -t $SECS -g $g -w $N -n $n")
                else
                    specs+=("$h|$BIN/evs-bench -q -m recv -g $g -w $N -n $n -T $((SECS + 60))")
                fi
            done
            tag="TRIAL kind=flood size=$s senders=$n guarantee=$g"
            trial "$tag" "${specs[@]}" || echo "         a process failed (see $OUT/trials)"
            summary_line "$tag"
        done
    done
done

# --- keyed floods: the cost of sealing every datagram -----------------------------
if [ -n "$KEY_SIZES" ]; then
    KEY=$OUT/authkey
    head -c 128 /dev/urandom >"$KEY"
    chmod 0400 "$KEY"
fi
for s in $KEY_SIZES; do
    announce $((SECS + 3)) "flood $(human_size "$s"), 1 sender, agreed, with a key"
    specs=("1|env EVS_KEYFILE=$KEY $BIN/evs-bench -q -m flood -s $s -t $SECS -g agreed -w $N -n 1")
    for h in $(seq 2 $N); do
        specs+=("$h|env EVS_KEYFILE=$KEY $BIN/evs-bench -q -m recv -g agreed -w $N -n 1 -T $((SECS + 60))")
    done
    tag="TRIAL kind=floodkey size=$s senders=1 guarantee=agreed"
    trial "$tag" "${specs[@]}" || echo "         a process failed (see $OUT/trials)"
    summary_line "$tag"
done

# --- latency --------------------------------------------------------------------
for g in $GUARANTEES; do
    announce $((SECS + 3)) "latency $(human_size "$LAT_SIZE") at $LAT_RATE msgs/s, $g"
    specs=("1|$BIN/evs-bench -q -m lat -s $LAT_SIZE -r $LAT_RATE -t $SECS -g $g -w $N -n 1")
    for h in $(seq 2 $N); do specs+=("$h|$BIN/evs-bench -q -m recv -g $g -w $N -n 1 -T $((SECS + 60))"); done
    tag="TRIAL kind=lat size=$LAT_SIZE senders=1 guarantee=$g"
    trial "$tag" "${specs[@]}" || echo "         a process failed (see $OUT/trials)"
    summary_line "$tag"
done

# --- raw UDP multicast ----------------------------------------------------------
# Twice: one datagram per sendmmsg entry (the issue's "wire"), and segmented,
# RAW_SEGS datagrams per buffer the kernel cuts up, as the library sends runs of
# equal frames (net/batch.rs): the same datagrams on the wire and at the receivers.
RAW_SEGS=$((65000 / RAW_SIZE))
[ "$RAW_SEGS" -gt 64 ] && RAW_SEGS=64
raw_trial() {
    local kind=$1 segs=$2 label=$3 h p
    announce $((SECS + 2)) "$label"
    PORT=$((PORT + 2))
    dir=$OUT/trials/$kind
    mkdir -p "$dir"
    local -a rpids=()
    for h in $(seq 2 $N); do
        (on_host "$h" timeout -k 5 $((SECS + 30)) "$BIN/raw-mcast" -m recv -i "$(host_ip "$h")" -p "$PORT" \
            -s "$RAW_SIZE" -T $((SECS + 20))) >"$dir/$h.out" 2>"$dir/$h.err" &
        rpids+=($!)
        LIVE+=($!)
    done
    for _ in $(seq 50); do      # the receivers have joined the group
        ready=1
        for h in $(seq 2 $N); do grep -q READY "$dir/$h.out" 2>/dev/null || ready=0; done
        [ $ready = 1 ] && break
        sleep 0.1
    done
    (on_host 1 "$BIN/raw-mcast" -m send -i "$(host_ip 1)" -p "$PORT" -s "$RAW_SIZE" -g "$segs" -t "$SECS") \
        >"$dir/1.out" 2>"$dir/1.err"
    for p in "${rpids[@]}"; do wait "$p"; done
    LIVE=()
    for h in $(seq 1 $N); do
        grep '^RESULT' "$dir/$h.out" | sed "s/^/TRIAL kind=$kind size=$RAW_SIZE senders=1 guarantee=none host=$h /" >>"$RESULTS"
    done
    grep "^TRIAL kind=$kind " "$RESULTS" | awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          if (v["mode"] == "send") s = sprintf("sent %.1f MB/s", v["MB_per_s"])
          else { r = r sprintf(" %.1f MB/s (%.0f/s, lost %d)", v["MB_per_s"], v["msgs_per_s"], v["lost"]) } }
        END { printf "         %s; received:%s\n", s, r }'
}
raw_trial raw 1 "raw UDP multicast, $RAW_SIZE B datagrams"
raw_trial rawseg "$RAW_SEGS" "raw UDP multicast, $RAW_SIZE B datagrams, $RAW_SEGS per segmented buffer"

# --- idle -----------------------------------------------------------------------
if [ "$IDLE_SECS" -gt 0 ]; then
    announce $((IDLE_SECS + 6)) "idle ring of $N processes, CPU over $IDLE_SECS s"
    PORT=$((PORT + 2))
    dir=$OUT/trials/idle
    mkdir -p "$dir"
    declare -a ipids=()
    for h in $(seq 1 $N); do
        # no timeout(1) in between: the pid must be evs-bench's own
        (on_host "$h" env LD_LIBRARY_PATH="$LIBDIR" EVS_BINDNETADDR="$(host_ip "$h")" EVS_MCASTPORT="$PORT" \
            "$BIN/evs-bench" -m idle -w $N -t $((IDLE_SECS + 40))) >"$dir/$h.out" 2>"$dir/$h.err" &
        ipids+=($!)
        LIVE+=($!)
    done
    ok=0
    for _ in $(seq 300); do
        ok=1
        for h in $(seq 1 $N); do grep -q 'idle$' "$dir/$h.err" 2>/dev/null || ok=0; done
        [ $ok = 1 ] && break
        sleep 0.1
    done
    if [ $ok = 1 ]; then
        sleep 2     # the last announcements settle
        ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
        declare -a c0=()
        for p in "${ipids[@]}"; do c0+=("$(ticks "$p")"); done
        w0=$(date +%s%N)
        sleep "$IDLE_SECS"
        w1=$(date +%s%N)
        for i in "${!ipids[@]}"; do
            c1=$(ticks "${ipids[$i]}")
            awk -v a="${c0[$i]}" -v b="$c1" -v hz="$HZ" -v w="$((w1 - w0))" -v h=$((i + 1)) \
                'BEGIN { printf "TRIAL kind=idle size=0 senders=0 guarantee=none host=%d RESULT mode=idle cpu_s=%.3f secs=%.3f core_pct=%.3f\n",
                         h, (b - a) / hz, w / 1e9, 100 * (b - a) / hz / (w / 1e9) }' >>"$RESULTS"
        done
        grep '^TRIAL kind=idle' "$RESULTS" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^core_pct=/) { split($i, kv, "="); s = s sprintf(" %.2f%%", kv[2]) } }
            END { printf "         CPU of each process:%s of a core\n", s }'
    else
        echo "         the idle processes did not form one ring in 30 s (see $dir)"
    fi
    for p in "${ipids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${ipids[@]}"; do wait "$p" 2>/dev/null; done
    LIVE=()
fi

echo "bench: done in $(clock $(($(date +%s) - T0)))"
cleanup
python3 tools/bench-report.py "$OUT" || exit 1
