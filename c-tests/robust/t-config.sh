#!/bin/bash
# Odd configuration files (issue 10, item 7): a file nested far too deep, a
# FIFO or /dev/zero as EVS_CONFIG, a FIFO as EVS_KEYFILE, a file over the size
# limit, a directory. Each must make evs_initialize fail within about a second
# with one line on stderr, and never crash or hang the process. A valid file
# must still start (so the refusals are not a library that refuses everything).
set -u
: "${CC:?}" "${LIBDIR:?}" "${OUT:?}" "${PORT:?}"
export LD_LIBRARY_PATH=$LIBDIR
export EVS_MCASTPORT=$PORT EVS_TOKEN=200 EVS_JOIN=20
unset EVS_CONFIG EVS_KEYFILE EVS_LOG EVS_NODEID

$CC -std=c99 -Wall -Wextra -Werror -Iinclude c-tests/robust/init_once.c -L"$LIBDIR" -levs -lpthread \
    -o "$OUT/init_once" || exit 1

failed=0

# run NAME ENV... -- ARGS: evs_initialize with ENV must return CS_ERR_LIBRARY (2)
# within 1.5 s, with exactly one line on stderr. Memory is capped so that a
# library reading /dev/zero to the end fails fast instead of filling the machine.
refused() {
    local name=$1
    shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    local start ms rc lines
    start=$(date +%s%N)
    (ulimit -v 2000000; env "${envs[@]}" timeout 5 "$OUT/init_once" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err")
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    lines=$(wc -l <"$OUT/$name.err")
    if [ $rc -ne 0 ] || ! grep -qx 'init 2' "$OUT/$name.out" || [ "$lines" -ne 1 ] || [ $ms -gt 1500 ]; then
        echo "FAIL $name: exit $rc after $ms ms, stdout '$(cat "$OUT/$name.out")', $lines stderr lines:"
        head -c 600 "$OUT/$name.err" | sed 's/^/     | /'
        failed=$((failed + 1))
    else
        echo "ok   $name: refused in $ms ms: $(cat "$OUT/$name.err")"
    fi
}

nest() { # nest DEPTH FILE: DEPTH sections inside each other
    awk -v d="$1" 'BEGIN { for (i = 0; i < d; i++) print "a {"; for (i = 0; i < d; i++) print "}" }' >"$2"
}

nest 150000 "$OUT/deep.conf"
refused nested-150000 EVS_CONFIG="$OUT/deep.conf" --
nest 10000 "$OUT/deep10k.conf"
refused nested-10000-small-stack EVS_CONFIG="$OUT/deep10k.conf" -- -s 256
nest 33 "$OUT/deep33.conf"
refused nested-33 EVS_CONFIG="$OUT/deep33.conf" --

mkfifo "$OUT/config.fifo" "$OUT/key.fifo"
refused fifo-config EVS_CONFIG="$OUT/config.fifo" --
refused fifo-keyfile EVS_KEYFILE="$OUT/key.fifo" --
refused dev-zero EVS_CONFIG=/dev/zero --
refused directory EVS_CONFIG="$OUT" --
# Just over 1 MiB of comments: a valid file, but over the size limit.
awk 'BEGIN { for (i = 0; i < 16400; i++) printf "# %061d\n", i }' >"$OUT/big.conf"
refused over-1MiB EVS_CONFIG="$OUT/big.conf" --

# The control: a plain file nested 32 deep (the limit) under its size limit starts.
nest 32 "$OUT/deep32.conf"
cat >>"$OUT/deep32.conf" <<CONF
totem {
    token: 200
    interface {
        mcastport: $PORT
    }
}
CONF
if EVS_CONFIG="$OUT/deep32.conf" timeout 10 "$OUT/init_once" >"$OUT/valid.out" 2>"$OUT/valid.err" &&
    grep -qx 'init 1' "$OUT/valid.out"; then
    echo "ok   valid file nested 32 deep: CS_OK"
else
    echo "FAIL valid file: $(cat "$OUT/valid.out")"
    sed 's/^/     | /' "$OUT/valid.err"
    failed=$((failed + 1))
fi

[ $failed -eq 0 ]
