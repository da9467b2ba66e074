# Figures from one evs_node log (format in c-tests/evs_node.c) for t-hostile.sh.
#
#   awk -v ring=ID,ID,ID -v from=T_US -v phases="NAME:START:END NAME:START:END ..." -f hostile-stats.awk LOG
#
# ring:   the node ids of the ring under attack (the processes started as members)
# from:   when the attacks start; configuration changes from then on are counted
# phases: windows (microseconds, CLOCK_REALTIME as in the log) to count deliveries in
#
# Prints one "key value" per line:
#   node ID                 the log's own node id
#   config_before MEMBERS   the members of the last regular configuration before `from`
#   configs_after N         configuration changes (T and R) at or after `from`
#   joined_after IDS        node ids in a configuration after `from` that are not ring members
#   strangers N             deliveries whose sender is not a ring member
#   stranger_ids IDS        their senders
#   bad N                   "# bad message" lines (a delivery that was not an evs_node message)
#   phase NAME N GAP_MS     deliveries in the window, and the longest time in it without one
#   change PHASE RECORD     each configuration change at or after `from`, with the phase
#                           it fell in ("-" for none)
#   ended running|left|-    the E line (- if the process never wrote it: a crash)
function add_id(list, id) {
    return index("," list ",", "," id ",") ? list : (list == "" ? id : list "," id)
}
BEGIN {
    n = split(ring, r, ",")
    for (i = 1; i <= n; i++) member[r[i]] = 1
    np = split(phases, p, " ")
    for (i = 1; i <= np; i++) {
        split(p[i], f, ":")
        pname[i] = f[1]; pstart[i] = f[2]; pend[i] = f[3]
        last[i] = f[2]; gap[i] = 0; count[i] = 0
    }
    ended = "-"; joined = ""; sids = ""
}
$1 == "N" { node = $2 }
$1 == "C" {
    if ($2 < from) {
        if ($3 == "R") before = $6
    } else {
        after++
        ph = "-"
        for (i = 1; i <= np; i++) if ($2 >= pstart[i] && $2 < pend[i]) ph = pname[i]
        changes = changes "change " ph " " $0 "\n"
        split(substr($6, 3), m, ",")
        for (k in m) if (m[k] != "" && !(m[k] in member)) joined = add_id(joined, m[k])
    }
}
$1 == "D" {
    if (!($3 in member)) { strangers++; sids = add_id(sids, $3) }
    for (i = 1; i <= np; i++) {
        if ($2 >= pstart[i] && $2 < pend[i]) {
            count[i]++
            if ($2 - last[i] > gap[i]) gap[i] = $2 - last[i]
            last[i] = $2
        }
    }
}
/^# bad message/ { bad++ }
$1 == "E" { ended = $3 }
END {
    print "node " node
    print "config_before " (before == "" ? "-" : before)
    print "configs_after " after + 0
    print "joined_after " (joined == "" ? "-" : joined)
    print "strangers " strangers + 0
    print "stranger_ids " (sids == "" ? "-" : sids)
    print "bad " bad + 0
    for (i = 1; i <= np; i++) {
        if (pend[i] - last[i] > gap[i]) gap[i] = pend[i] - last[i]
        printf "phase %s %d %d\n", pname[i], count[i], gap[i] / 1000
    }
    printf "%s", changes
    print "ended " ended
}
