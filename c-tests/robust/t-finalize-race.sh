#!/bin/bash
# Finalizing the last handle while another thread multicasts (issue 10,
# item 5): over 300 rounds the sender sees only CS_OK, CS_ERR_TRY_AGAIN and
# CS_ERR_BAD_HANDLE. A short join interval keeps each round's start quick.
set -u
$CC -std=c11 -Wall -Wextra -Werror -Iinclude c-tests/robust/finalize_race.c -L"$LIBDIR" -levs -lpthread -o "$OUT/finalize_race" || exit 1
EVS_JOIN=10 LD_LIBRARY_PATH=$LIBDIR timeout -k 2 60 "$OUT/finalize_race" "$PORT" 300 2>"$OUT/stderr"
rc=$?
# The library prints nothing unless EVS_LOG asks (a caught panic included).
if [ -s "$OUT/stderr" ]; then echo "stderr is not empty:"; head -5 "$OUT/stderr"; exit 1; fi
exit $rc
