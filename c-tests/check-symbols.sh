#!/bin/sh
# Checks the identity of a built libevs.so against libevs.versions:
#   - the dynamic symbols it defines are exactly the names listed under "global:" in
#     the version script, each a function bound to the version node it is listed in
#     (COROSYNC_EVS_2.0 for corosync's API, LIBEVS_EXT_1.0 for libevs's extensions),
#     plus each node's own absolute symbol, and nothing else;
#   - its SONAME is libevs.so.4.
#
# usage: c-tests/check-symbols.sh LIBRARY [VERSION_SCRIPT]
set -eu

lib=${1:?usage: check-symbols.sh LIBRARY [VERSION_SCRIPT]}
script=${2:-libevs.versions}
soname=libevs.so.4

[ -f "$lib" ] || { echo "check-symbols: $lib: no such file" >&2; exit 1; }
[ -f "$script" ] || { echo "check-symbols: $script: no such file" >&2; exit 1; }

nodes=$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' "$script")
[ -n "$nodes" ] || { echo "check-symbols: no version node in $script" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Expected: "T name@@node" for each exported function, under the node that lists it
# (between its "global:" and its "local:" or closing brace), and "A node" for each node.
awk '
    /^[A-Za-z_][A-Za-z0-9_.]*[ \t]*[{]/ { node = $1; sub(/[ \t]*[{].*/, "", node); print "A " node; inglobal = 0; next }
    /^[ \t]*global:/ { inglobal = 1; next }
    /^[ \t]*(local:|[}])/ { inglobal = 0; next }
    inglobal && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ { name = $1; sub(/;.*/, "", name); print "T " name "@@" node }
' "$script" | sort >"$tmp/expected"

# nm shows symbol versions by default since binutils 2.37; older ones need the option.
nm -D --defined-only "$lib" >"$tmp/nm"
if ! grep -q '@' "$tmp/nm"; then
    nm -D --defined-only --with-symbol-versions "$lib" >"$tmp/nm"
fi
awk '{ print $2, $3 }' "$tmp/nm" | sort >"$tmp/actual"

status=0
if ! cmp -s "$tmp/expected" "$tmp/actual"; then
    echo "check-symbols: the dynamic symbols of $lib differ from $script (- expected, + actual):"
    diff "$tmp/expected" "$tmp/actual" | sed -n 's/^< /- /p; s/^> /+ /p'
    status=1
else
    for node in $nodes; do
        echo "check-symbols: $(grep -c "^T .*@@$node\$" "$tmp/expected") functions exported under $node"
    done
    echo "check-symbols: nothing else exported"
fi

actual_soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$actual_soname" != "$soname" ]; then
    echo "check-symbols: the SONAME of $lib is '${actual_soname:-none}', not $soname"
    status=1
else
    echo "check-symbols: SONAME $soname"
fi
exit $status
