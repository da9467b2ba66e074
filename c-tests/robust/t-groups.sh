#!/bin/bash
# Group limits (issue 10, item 6): at most 1024 groups joined per handle
# (CS_ERR_TOO_MANY_GROUPS beyond), 1 MiB accepted with all of them joined, and
# matching cheap enough that a burst between two handles with the most groups
# joined each never holds the protocol thread past the token timeout: a
# bystander processor sees no configuration change.
set -u
: "${CC:?}" "${LIBDIR:?}" "${OUT:?}" "${PORT:?}"
export LD_LIBRARY_PATH=$LIBDIR
unset EVS_CONFIG EVS_KEYFILE EVS_LOG EVS_NODEID
$CC -std=c99 -Wall -Wextra -Werror -Iinclude c-tests/robust/groups.c -L"$LIBDIR" -levs -o "$OUT/groups" || exit 1

failed=0
EVS_MCASTPORT=$PORT timeout 20 "$OUT/groups" limits || failed=1

# A ring of two processes, token timeout 1000 ms (the default).
export EVS_MCASTPORT=$((PORT + 2))
timeout 25 "$OUT/groups" bystander 20 >"$OUT/bystander.out" 2>&1 &
by=$!
sleep 0.3
timeout 25 "$OUT/groups" burst 20 || failed=1
wait $by || failed=1
cat "$OUT/bystander.out"
exit $failed
