#!/bin/bash
# fork() under load (issue 10, items 1-3): see fork.c. 50 children of a busy
# parent: none hangs, inherited handles are CS_ERR_BAD_HANDLE, a fresh handle
# gets a processor of its own, and the parent's polled descriptor and
# deliveries are intact. The whole run is bounded by `timeout`.
set -u
$CC -std=c11 -Wall -Wextra -Werror -Iinclude c-tests/robust/fork.c -L"$LIBDIR" -levs -lpthread -o "$OUT/fork" || exit 1
LD_LIBRARY_PATH=$LIBDIR timeout -k 2 40 "$OUT/fork" "$PORT" 2>"$OUT/stderr"
rc=$?
# The library prints nothing unless EVS_LOG asks (a caught panic included).
if [ -s "$OUT/stderr" ]; then echo "stderr is not empty:"; head -5 "$OUT/stderr"; exit 1; fi
exit $rc
