# Figures read from the callback logs (sourced; bash + awk). Log lines:
#   N node | S t counter g | D t sender counter g | C t T|R rep seq m:.. l:.. j:..
#   E t running|left | # summary key=value...
# Times are microseconds; figures are printed in milliseconds.

# time_to_config T N LOG...: the slowest process's wait from T to its first
# regular configuration of N members; "never" if one has none.
time_to_config() {
    local t=$1 n=$2 f
    shift 2
    for f; do [ -e "$f" ] || { echo never; return; }; done   # not started yet
    awk -v t0="$t" -v n="$n" '
        BEGIN { for (i = 1; i < ARGC; i++) files[ARGV[i]] = 1 }   # empty ones too
        $1 == "C" && $3 == "R" && $2 >= t0 && !(FILENAME in got) {
            m = $6; sub(/^m:/, "", m)
            if (split(m, a, ",") == n) got[FILENAME] = $2 - t0
        }
        END {
            worst = 0
            for (f in files) {
                if (!(f in got)) { print "never"; exit }
                if (got[f] > worst) worst = got[f]
            }
            printf "%d\n", worst / 1000
        }' "$@"
}

# configs_between A B LOG...: the most configuration callbacks one process
# got between A and B.
configs_between() {
    local a=$1 b=$2
    shift 2
    awk -v a="$a" -v b="$b" '
        BEGIN { for (i = 1; i < ARGC; i++) c[ARGV[i]] = 0 }
        $1 == "C" && $2 >= a && $2 <= b { c[FILENAME]++ }
        END { m = 0; for (f in c) if (c[f] > m) m = c[f]; print m }' "$@"
}

# deliveries_between A B LOG...: the fewest deliveries one process made
# between A and B.
deliveries_between() {
    local a=$1 b=$2
    shift 2
    awk -v a="$a" -v b="$b" '
        BEGIN { for (i = 1; i < ARGC; i++) c[ARGV[i]] = 0 }
        $1 == "D" && $2 >= a && $2 <= b { c[FILENAME]++ }
        END { m = -1; for (f in c) if (m < 0 || c[f] < m) m = c[f]; print m }' "$@"
}

# longest_stall A B LOG...: the longest time (ms) one process went without a
# delivery between A and B (the ends of the window count as deliveries).
longest_stall() {
    local a=$1 b=$2
    shift 2
    awk -v a="$a" -v b="$b" '
        FNR == 1 { if (NR > 1) close_file(); last = a }
        function close_file() { if (b - last > worst) worst = b - last }
        $1 == "D" && $2 >= a && $2 <= b { if ($2 - last > worst) worst = $2 - last; last = $2 }
        END { close_file(); printf "%d\n", worst / 1000 }' "$@"
}

# latency_between A B LOG...: "p50 p99" (ms) of the self-delivery latency of
# the messages sent between A and B, over all the processes.
latency_between() {
    local a=$1 b=$2
    shift 2
    awk -v a="$a" -v b="$b" '
        FNR == 1 { delete sent }
        $1 == "N" { me = $2 }
        $1 == "S" && $2 >= a && $2 <= b { sent[$3] = $2 }
        $1 == "D" && $3 == me && ($4 in sent) { print $2 - sent[$4]; delete sent[$4] }' "$@" |
        sort -n | awk '{ v[NR] = $1 }
            END {
                if (!NR) { print "- -"; exit }
                i50 = int((NR * 50 + 99) / 100); i99 = int((NR * 99 + 99) / 100)
                printf "%.1f %.1f\n", v[i50] / 1000, v[i99] / 1000
            }'
}

# summary_max KEY LOG... / summary_min KEY LOG...: over the summary lines.
summary_max() {
    local k=$1
    shift
    grep -h '^# summary' "$@" | tr ' ' '\n' | awk -F= -v k="$k" '$1 == k { if (!n++ || $2 > m) m = $2 } END { print m + 0 }'
}
summary_min() {
    local k=$1
    shift
    grep -h '^# summary' "$@" | tr ' ' '\n' | awk -F= -v k="$k" '$1 == k { if (!n++ || $2 < m) m = $2 } END { print m + 0 }'
}

# undelivered LOG...: how many messages sent (by anyone) some process that ran
# to the end did not deliver; meaningful only for a run without configuration
# changes, where everyone delivers everything.
undelivered() {
    awk '$1 == "S" { sent++ } $1 == "D" { d[FILENAME]++ } $1 == "E" { ended[FILENAME] = 1 }
        END { w = 0; for (f in ended) if (sent - d[f] > w) w = sent - d[f]; print w }' "$@"
}

# judge LOG... (evs-check arguments may come first): run the EVS checker;
# its output goes to $OUT/verdict. Sets JUDGED to the deliveries it judged.
judge() {
    "$CHECK" "$@" >"$OUT/verdict" 2>&1
    local rc=$?
    JUDGED=$(sed -n 's/.* \([0-9]*\) deliveries.*/\1/p' "$OUT/verdict" | head -n 1)
    return $rc
}

# show_verdict: the checker's report, indented, for a FAIL.
show_verdict() { sed 's/^/     | /' "$OUT/verdict" | head -n 40; }

# wait_config T N TIMEOUT_S LOG...: poll until every log shows a regular
# configuration of N members installed after T, or TIMEOUT_S passes; prints
# time_to_config's answer (ms, or "never").
wait_config() {
    local t=$1 n=$2 limit=$(($(now_us) + $3 * 1000000)) r
    shift 3
    while :; do
        r=$(time_to_config "$t" "$n" "$@")
        if [ "$r" != never ] || [ "$(now_us)" -ge "$limit" ]; then
            echo "$r"
            return 0
        fi
        sleep 0.1
    done
}
