#!/bin/sh
# Source compatibility with corosync's headers: each c-tests/compat/NAME.c leans on one
# thing that corosync's <corosync/evs.h>, <corosync/corotypes.h> or <corosync/hdb.h> gave
# a program without its asking (a system header they included, a guard name, a macro's
# spelling, a legacy alias, the handle database). Each is built three ways, with
# -Wall -Wextra -Wpedantic -Werror, and run:
#   - as gnu99: how corosync programs were built (gcc's default GNU mode; corosync's own
#     hdb.h called random(), which strict C99 does not declare);
#   - as strict c99 (no feature macro): our headers must not need one;
#   - as C++11 (g++ -std=c++11).
# Usage: sh c-tests/compat/run.sh [NAME...]   (all programs by default), from the
# repository root after `make`. Prints one line per program and build; exits non-zero if
# any fails.
# Environment: CC (cc), CXX (g++), OUT (build/c-tests/compat),
#   COMPAT_INCLUDE (include): the header tree to test, e.g. an older checkout's include/.
set -u

CC=${CC:-cc}
CXX=${CXX:-g++}
OUT=${OUT:-build/c-tests/compat}
INC=${COMPAT_INCLUDE:-include}
LIBDIR=build/lib
WARN="-Wall -Wextra -Wpedantic -Werror"
DIR=$(dirname "$0")

mkdir -p "$OUT"
if [ $# -eq 0 ]; then
    set -- $(for f in "$DIR"/*.c; do basename "$f" .c; done)
fi

status=0
for name in "$@"; do
    src=$DIR/$name.c
    for mode in gnu99 c99 c++11; do
        exe=$OUT/$name-$mode
        case $mode in
        c++11) set_cc="$CXX -x c++ -std=c++11" ;;
        *) set_cc="$CC -std=$mode" ;;
        esac
        # shellcheck disable=SC2086
        if ! $set_cc $WARN -I"$INC" "$src" -L$LIBDIR -levs -lpthread -o "$exe" 2>"$exe.err"; then
            echo "FAIL $name ($mode): does not build"
            sed 's/^/     | /' "$exe.err"
            status=1
        else
            env LD_LIBRARY_PATH=$LIBDIR "$exe"
            rc=$?
            if [ $rc -ne 0 ]; then
                echo "FAIL $name ($mode): exits $rc"
                status=1
            else
                echo "ok   $name ($mode)"
            fi
        fi
    done
done
exit $status
