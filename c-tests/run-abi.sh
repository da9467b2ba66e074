#!/bin/sh
# The C side of `make check` (target c-check), run from the repository root after
# `make all`:
#   - each public header compiles on its own, as C99 and as C++11;
#   - c-tests/abi_test.c compiles as C99 and as C++11 (-Wall -Wextra -Wpedantic
#     -Werror) against include/, links against build/lib, and passes;
#   - c-tests/compat/*.c, each leaning on one thing corosync's headers gave a program
#     (errno, PRIu64, malloc, assert, pthread, gettimeofday, guard names, _GNU_SOURCE,
#     CS_TRUE, legacy aliases, the hdb handle database), build as gnu99, c99 and C++11
#     and pass
#     (c-tests/compat/run.sh);
#   - c-tests/stats_test.c, of the libevs extension evs_stats_get (layout, size
#     protocol, errors, counts moving with a message), builds as C99 and C++11 and passes;
#   - the test binary needs libevs.so.4 and binds to the version node COROSYNC_EVS_2.0
#     only; stats_test, which uses the extension, binds to LIBEVS_EXT_1.0 as well;
#   - build/lib holds libevs.so.4.0.0 with its two links; the library exports only the
#     API, versioned, with SONAME libevs.so.4 (c-tests/check-symbols.sh);
#   - every manual page of man/ renders with `groff -man -ww` without a warning or any
#     other output on stderr;
#   - `make install` into a staging DESTDIR lays out the library, the headers,
#     libevs.pc, evs-keygen, evs-chat and the manual pages, `pkg-config --cflags --libs libevs` builds abi_test against the
#     installed tree, and `make uninstall` removes it all again.
# Prints "c-check: N passed, N failed, N skipped" last; exits non-zero on failure.
#
# Environment: CC (cc), CXX (g++), MAKE (make), OUT (build/c-tests).
set -u

CC=${CC:-cc}
CXX=${CXX:-g++}
MAKE=${MAKE:-make}
OUT=${OUT:-build/c-tests}
LIBDIR=build/lib
CFLAGS_STRICT="-std=c99 -Wall -Wextra -Wpedantic -Werror"
CXXFLAGS_STRICT="-x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror"

passed=0
failed=0
skipped=0

# step NAME COMMAND...: runs COMMAND, its output in $OUT/log/, and counts the result.
step() {
    name=$1
    shift
    log="$OUT/log/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name"
        # A test program's own summary line, if it printed one.
        last=$(tail -n 1 "$log")
        case $last in *" passed, "*" failed"*) echo "     | $last" ;; esac
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     | /' "$log"
    fi
}

skip() {
    skipped=$((skipped + 1))
    echo "skip $1"
}

rm -rf "$OUT"
mkdir -p "$OUT/log"

# --- the headers on their own ---------------------------------------------------
for h in evs corotypes hdb; do
    printf '#include <corosync/%s.h>\nint main(void) { return 0; }\n' "$h" >"$OUT/only_$h.c"
    step "corosync/$h.h compiles alone as C99" \
        $CC $CFLAGS_STRICT -Iinclude -c "$OUT/only_$h.c" -o "$OUT/only_$h.o"
    step "corosync/$h.h compiles alone as C++11" \
        $CXX $CXXFLAGS_STRICT -Iinclude -c "$OUT/only_$h.c" -o "$OUT/only_$h.cxx.o"
done

# --- abi_test, as C and as C++, against the source tree ---------------------------
step "abi_test.c builds as C99" \
    $CC $CFLAGS_STRICT -Iinclude c-tests/abi_test.c -L$LIBDIR -levs -o "$OUT/abi_test_c"
step "abi_test (C) passes" env LD_LIBRARY_PATH=$LIBDIR "$OUT/abi_test_c"
step "abi_test.c builds as C++11" \
    $CXX $CXXFLAGS_STRICT -Iinclude c-tests/abi_test.c -L$LIBDIR -levs -o "$OUT/abi_test_cxx"
step "abi_test (C++) passes" env LD_LIBRARY_PATH=$LIBDIR "$OUT/abi_test_cxx"

# --- source compatibility with corosync's headers (c-tests/compat/run.sh) ---------
for src in c-tests/compat/*.c; do
    name=$(basename "$src" .c)
    step "compat/$name builds as gnu99, c99 and C++11 and passes" \
        env CC="$CC" CXX="$CXX" OUT="$OUT/compat" sh c-tests/compat/run.sh "$name"
done

# --- conformance: every function's success and error paths on a live processor ---
# A private multicast port per run, so that parallel runs never form one ring.
port=$((20000 + $$ % 20000))
step "conformance.c builds as C99" \
    $CC $CFLAGS_STRICT -Iinclude c-tests/conformance.c -L$LIBDIR -levs -lpthread -o "$OUT/conformance_c"
step "conformance (C) passes" env EVS_MCASTPORT=$port LD_LIBRARY_PATH=$LIBDIR timeout 120 "$OUT/conformance_c"
step "conformance.c builds as C++11" \
    $CXX $CXXFLAGS_STRICT -Iinclude c-tests/conformance.c -L$LIBDIR -levs -lpthread -o "$OUT/conformance_cxx"
step "conformance (C++) passes" env EVS_MCASTPORT=$((port + 2)) LD_LIBRARY_PATH=$LIBDIR timeout 120 "$OUT/conformance_cxx"

# The same under valgrind: no invalid read or write at the C boundary, no definite leak.
if command -v valgrind >/dev/null 2>&1; then
    step "conformance under valgrind (no invalid access, no definite leak)" \
        env EVS_MCASTPORT=$((port + 6)) LD_LIBRARY_PATH=$LIBDIR timeout 300 \
        valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite -q "$OUT/conformance_c"
else
    skip "conformance under valgrind (valgrind not installed)"
fi

# --- the libevs extension evs_stats_get (not in corosync) ---------------------------
step "stats_test.c builds as C99" \
    $CC $CFLAGS_STRICT -Iinclude c-tests/stats_test.c -L$LIBDIR -levs -o "$OUT/stats_test_c"
step "stats_test (C) passes" env EVS_MCASTPORT=$((port + 8)) LD_LIBRARY_PATH=$LIBDIR timeout 60 "$OUT/stats_test_c"
step "stats_test.c builds as C++11" \
    $CXX $CXXFLAGS_STRICT -Iinclude c-tests/stats_test.c -L$LIBDIR -levs -o "$OUT/stats_test_cxx"
step "stats_test (C++) passes" env EVS_MCASTPORT=$((port + 10)) LD_LIBRARY_PATH=$LIBDIR timeout 60 "$OUT/stats_test_cxx"

# The version nodes a program needs from libevs.so.4, one per line.
needed_versions() {
    readelf -V "$1" | awk '/File: libevs\.so\.4/ { n = $NF; next } n > 0 { print $3; n-- }' | sort
}
binds_to_version() {
    readelf -d "$1" | grep -q 'NEEDED.*\[libevs\.so\.4\]' &&
        [ "$(needed_versions "$1" | tr '\n' ' ')" = "$2" ]
}
step "a linked program needs libevs.so.4 version COROSYNC_EVS_2.0, and no other" \
    binds_to_version "$OUT/abi_test_c" "COROSYNC_EVS_2.0 "
step "a program using evs_stats_get needs LIBEVS_EXT_1.0 too" \
    binds_to_version "$OUT/stats_test_c" "COROSYNC_EVS_2.0 LIBEVS_EXT_1.0 "

# --- the library's identity ---------------------------------------------------
links_ok() {
    [ -f $LIBDIR/libevs.so.4.0.0 ] && [ ! -L $LIBDIR/libevs.so.4.0.0 ] &&
        [ "$(readlink $LIBDIR/libevs.so.4)" = libevs.so.4.0.0 ] &&
        [ "$(readlink $LIBDIR/libevs.so)" = libevs.so.4 ]
}
step "build/lib: libevs.so.4.0.0, libevs.so.4 -> it, libevs.so -> libevs.so.4" links_ok
step "exports and SONAME (check-symbols.sh)" \
    sh c-tests/check-symbols.sh $LIBDIR/libevs.so.4.0.0 libevs.versions

# --- the manual pages ------------------------------------------------------------
# Each page of man/ renders with every groff warning on (-ww); a warning, an error or
# anything else on stderr fails the step, which names the page.
man_pages_render_clean() {
    bad=0
    for page in man/*.[1-8]; do
        [ -f "$page" ] || { echo "no manual pages in man/"; return 1; }
        if ! msg=$(groff -man -ww -z "$page" 2>&1) || [ -n "$msg" ]; then
            echo "$page:"
            printf '%s\n' "$msg"
            bad=1
        else
            echo "$page: clean"
        fi
    done
    [ "$bad" -eq 0 ]
}
if command -v groff >/dev/null 2>&1; then
    step "manual pages render without a groff warning (groff -man -ww)" man_pages_render_clean
else
    skip "manual pages render cleanly (groff not installed)"
fi

# --- install, pkg-config, uninstall ------------------------------------------------
stage=$(pwd)/$OUT/stage
prefix=/opt/libevs-test
installed_ok() {
    for f in lib/libevs.so.4.0.0 include/corosync/evs.h include/corosync/corotypes.h \
        include/corosync/hdb.h lib/pkgconfig/libevs.pc bin/evs-keygen bin/evs-chat; do
        [ -f "$stage$prefix/$f" ] || { echo "missing: $prefix/$f"; return 1; }
    done
    for page in man/*.[1-8]; do
        f=share/man/man${page##*.}/${page#man/}
        [ -f "$stage$prefix/$f" ] || { echo "missing: $prefix/$f"; return 1; }
    done
    [ "$(readlink "$stage$prefix/lib/libevs.so.4")" = libevs.so.4.0.0 ] &&
        [ "$(readlink "$stage$prefix/lib/libevs.so")" = libevs.so.4 ] &&
        ! grep -n '@[A-Z]*@' "$stage$prefix/lib/pkgconfig/libevs.pc"
}
# The compiler and linker flags pkg-config gives for the staged tree, in $flags.
installed_flags() {
    flags=$(PKG_CONFIG_PATH="$stage$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage" \
        pkg-config --cflags --libs libevs)
}
build_with_pkg_config() {
    installed_flags || return 1
    echo "pkg-config --cflags --libs libevs: $flags"
    # shellcheck disable=SC2086
    $CC $CFLAGS_STRICT c-tests/abi_test.c $flags -o "$OUT/abi_test_installed" &&
        env LD_LIBRARY_PATH="$stage$prefix/lib" "$OUT/abi_test_installed" &&
        $CC $CFLAGS_STRICT c-tests/conformance.c $flags -lpthread -o "$OUT/conformance_installed" &&
        env EVS_MCASTPORT=$((port + 4)) LD_LIBRARY_PATH="$stage$prefix/lib" timeout 120 "$OUT/conformance_installed"
}
# The README's minimal program, as a newcomer would build it: the C block after the
# "example: hello.c" marker, with pkg-config against the installed tree, run alone on a
# private port; it must hear its own hello.
readme_example() {
    awk '/<!-- example: hello.c/ { f = 1; next } f && /^```c$/ { c = 1; next }
         c && /^```$/ { exit } c { print }' README.md >"$OUT/readme_hello.c"
    [ -s "$OUT/readme_hello.c" ] || { echo "README.md: no hello.c example found"; return 1; }
    installed_flags || return 1
    # shellcheck disable=SC2086
    $CC -Wall -Wextra -Werror "$OUT/readme_hello.c" $flags -o "$OUT/readme_hello" || return 1
    out=$(env EVS_MCASTPORT=$((port + 8)) LD_LIBRARY_PATH="$stage$prefix/lib" timeout 60 "$OUT/readme_hello") ||
        return 1
    echo "$out"
    echo "$out" | grep -q '^configuration [0-9]*\.[0-9a-f]*: 1 members, 0 left, 0 joined$' &&
        echo "$out" | grep -q '^node [0-9]* says: hello$'
}
uninstalled_ok() {
    left=$(find "$stage" -type f -o -type l)
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
step "make install (DESTDIR, PREFIX)" \
    $MAKE --no-print-directory install DESTDIR="$stage" PREFIX=$prefix
step "installed tree: library, links, headers, libevs.pc, evs-keygen, evs-chat, manual pages" installed_ok
if command -v pkg-config >/dev/null 2>&1; then
    step "abi_test and conformance build with pkg-config against the installed tree and pass" \
        build_with_pkg_config
    step "README.md's minimal program builds with pkg-config against the installed tree and runs" \
        readme_example
else
    skip "abi_test with pkg-config (pkg-config not installed)"
fi
step "make uninstall" $MAKE --no-print-directory uninstall DESTDIR="$stage" PREFIX=$prefix
step "uninstall removed every installed file" uninstalled_ok

echo "c-check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
