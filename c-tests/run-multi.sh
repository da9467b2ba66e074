#!/bin/sh
# Multi-process tests over real UDP on loopback: several evs_node processes
# (C, linked against build/lib/libevs.so) multicast a mix of guarantees and
# log their callbacks; evs-check judges the logs against the EVS properties.
#   udp4   four processes, multicast on 127.0.0.1 (the zero-configuration default)
#   udp4key, udpu3key  the same with a key: every datagram sealed (sha1, then sha256)
#   udpu4  three processes, unicast to a member list on 127.0.0.1 (with EVS_LOG=info,
#          whose membership lines, corosync's "A new membership (...) was formed.", are
#          checked; udp4's stderr must be empty)
#   udpu6  three processes, unicast on ::1 (IPv6 multicast does not loop back on lo)
#   kill   kill -9 of one of three during a flood: the survivors must install the
#          configuration without it within token + consensus timeouts + 1 s
#   leave  a graceful evs_finalize of one of three: the others must install the
#          new configuration within 500 ms (the token timeout is 1000 ms)
# Each run uses its own multicast/unicast ports so that nothing else joins it.
# Prints "multi: N passed, N failed, N skipped" last; exits non-zero on failure.
set -u

OUT=${OUT:-build/c-tests/multi}
LIBDIR=build/lib
NODE=build/c-tests/evs_node
CHECK=target/release/evs-check
CC=${CC:-cc}
passed=0
failed=0
skipped=0

rm -rf "$OUT"
mkdir -p "$OUT"
$CC -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude c-tests/evs_node.c -L$LIBDIR -levs -o $NODE || exit 1

now_us() { date +%s%6N; }
base_port=$((30000 + $$ % 10000 * 2))

# verdict NAME CHECK-ARGS...: run evs-check on the scenario's logs.
verdict() {
    name=$1
    shift
    if $CHECK "$@" "$OUT/$name".*.log >"$OUT/$name.verdict" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name: $(grep -c '^D' "$OUT/$name".*.log | awk -F: '{s+=$2} END {print s}') deliveries judged"
        grep 'after the fault' "$OUT/$name.verdict" | sed 's/^/     | /'
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     | /' "$OUT/$name.verdict"
    fi
}

# start NAME INDEX ARGS...: one evs_node in the background, environment as set by the caller.
start() {
    name=$1
    i=$2
    shift 2
    env LD_LIBRARY_PATH=$LIBDIR $NODE -l "$OUT/$name.$i.log" "$@" 2>"$OUT/$name.$i.err" &
}

# group NAME COUNT: COUNT processes for 5 s, sending once all are in one ring.
group() {
    name=$1
    n=$2
    end=$(( $(now_us) + 6000000 ))
    i=1
    while [ $i -le "$n" ]; do
        start "$name" $i -e $end -w "$n" -r 300
        i=$((i + 1))
    done
    wait
    verdict "$name"
}

port=$base_port
EVS_MCASTPORT=$port group udp4 4

# The library never prints unless asked: the udp4 processes' stderr must be empty.
if cat "$OUT"/udp4.*.err | grep -q .; then
    failed=$((failed + 1))
    echo "FAIL quiet: the library printed with EVS_LOG unset"
    sed 's/^/     | /' "$OUT"/udp4.*.err
else
    passed=$((passed + 1))
    echo "ok   quiet: nothing on stderr with EVS_LOG unset"
fi

# With a key every datagram is sealed (src/net/seal): the same four over
# multicast, and three over unicast with the other hash.
KEY="$OUT/authkey"
target/release/evs-keygen -k "$KEY" -s 256 >/dev/null || exit 1
port=$((port + 10))
EVS_KEYFILE=$KEY EVS_MCASTPORT=$port group udp4key 4
port=$((port + 10))
EVS_KEYFILE=$KEY EVS_CRYPTO_HASH=sha256 EVS_TRANSPORT=udpu \
    EVS_MEMBERS="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))" group udpu3key 3

port=$((port + 10))
EVS_TRANSPORT=udpu EVS_MEMBERS="127.0.0.1:$port,127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))" \
    EVS_LOG=info group udpu4 3

# Asked with EVS_LOG=info, it reports membership changes as corosync did: the ring id
# (rep.seq in hex), the members that joined and left, then the members.
if grep -q 'A new membership ([0-9a-f]*\.[0-9a-f]*) was formed\. Members joined: [0-9]' "$OUT"/udpu4.1.err &&
    grep -q 'Members\[3\]: [0-9]* [0-9]* [0-9]*$' "$OUT"/udpu4.1.err; then
    passed=$((passed + 1))
    echo "ok   log: $(grep 'A new membership' "$OUT"/udpu4.1.err | tail -n 1)"
else
    failed=$((failed + 1))
    echo "FAIL log: EVS_LOG=info printed no membership change"
    sed 's/^/     | /' "$OUT"/udpu4.1.err
fi

port=$((port + 10))
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
    EVS_TRANSPORT=udpu EVS_BINDNETADDR=::1 \
        EVS_MEMBERS="[::1]:$port,[::1]:$((port + 1)),[::1]:$((port + 2))" group udpu6 3
else
    skipped=$((skipped + 1))
    echo "skip udpu6 (no ::1 on this machine)"
fi

# kill -9 of node 3 once the ring carries traffic.
port=$((port + 10))
export EVS_MCASTPORT=$port
end=$(( $(now_us) + 9000000 ))
start kill 1 -e $end -w 3 -r 300 -q $((end - 1500000))
start kill 2 -e $end -w 3 -r 300 -q $((end - 1500000))
start kill 3 -e $end -w 3 -r 300
victim=$!
sleep 2
kill -9 $victim
killed_at=$(now_us)
wait
verdict kill --faults-end "$killed_at" --bound 3200

# graceful leave of node 3 at a known time.
port=$((port + 10))
export EVS_MCASTPORT=$port
now=$(now_us)
end=$((now + 6000000))
leave_at=$((now + 2500000))
start leave 1 -e $end -w 3 -r 300
start leave 2 -e $end -w 3 -r 300
start leave 3 -e $end -w 3 -r 300 -L $leave_at
wait
verdict leave --faults-end "$leave_at" --bound 500
unset EVS_MCASTPORT

# Two processors with one node id: the second must refuse to start, saying
# why; also with a key (the probe and its answer are sealed too).
for dup in dup dupkey; do
    port=$((port + 10))
    export EVS_MCASTPORT=$port EVS_NODEID=77
    if [ $dup = dupkey ]; then export EVS_KEYFILE=$KEY; fi
    start $dup 1 -e $(( $(now_us) + 3000000 )) -r 10
    first=$!
    sleep 1
    if env LD_LIBRARY_PATH=$LIBDIR $NODE -l "$OUT/$dup.2.log" -e $(( $(now_us) + 1000000 )) -r 10 2>"$OUT/$dup.2.err"; then
        failed=$((failed + 1))
        echo "FAIL $dup: a second processor with node id 77 started"
    elif grep -q 'node id 77 is also used' "$OUT/$dup.2.err" && grep -q 'CS_ERR_EXIST\|exist' "$OUT/$dup.2.err"; then
        passed=$((passed + 1))
        echo "ok   $dup: $(head -n 1 "$OUT/$dup.2.err")"
    else
        failed=$((failed + 1))
        echo "FAIL $dup: no clear report of the collision"
        sed 's/^/     | /' "$OUT/$dup.2.err"
    fi
    wait $first
    unset EVS_MCASTPORT EVS_NODEID EVS_KEYFILE
done

echo "multi: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
