#!/bin/bash
# Application signal handlers never run on a library thread (issue 10,
# item 8): see signals.c. 2000 signals at the process while the ring is busy.
set -u
$CC -std=c11 -Wall -Wextra -Werror -Iinclude c-tests/robust/signals.c -L"$LIBDIR" -levs -lpthread -o "$OUT/signals" || exit 1
EVS_MCASTPORT=$PORT LD_LIBRARY_PATH=$LIBDIR timeout -k 2 30 "$OUT/signals" 2000 2>"$OUT/stderr"
rc=$?
# The library prints nothing unless EVS_LOG asks (a caught panic included).
if [ -s "$OUT/stderr" ]; then echo "stderr is not empty:"; head -5 "$OUT/stderr"; exit 1; fi
exit $rc
