# Fault injection (sourced; bash). Every rule lives in the EVL_IN chain of a
# host's namespace (hooked on INPUT by lan_up), so a fault is a rule added
# there and healing is flushing it. Dropping on input only is enough: a
# multicast is then lost at each receiver independently, as on a real LAN.
# The rules match on eth0, so a host's own loopback stays whole.

# fault_loss H P: host H loses each incoming datagram with probability P.
fault_loss() {
    in_host "$1" iptables -A EVL_IN -i eth0 -m statistic --mode random --probability "$2" -j DROP
}

# fault_deaf H FROM...: host H hears nothing from the hosts FROM (one-way loss:
# they still hear H).
fault_deaf() {
    local h=$1 f
    shift
    for f in "$@"; do
        in_host "$h" iptables -A EVL_IN -i eth0 -s "$(host_addr "$f")" -j DROP
    done
}

# fault_mcast_deaf H FROM GROUP: host H misses FROM's multicasts to GROUP
# only; FROM's unicasts (the token) still arrive.
fault_mcast_deaf() {
    in_host "$1" iptables -A EVL_IN -i eth0 -s "$(host_addr "$2")" -d "$3" -j DROP
}

# fault_partition "1 2 3" "4 5" ...: no datagram crosses between the groups.
fault_partition() {
    local a b h o
    for a in "$@"; do
        for b in "$@"; do
            [ "$a" = "$b" ] && continue
            for h in $a; do
                for o in $b; do
                    fault_deaf "$h" "$o"
                done
            done
        done
    done
}

# heal H...: remove every rule from these hosts (all hosts without arguments).
heal() {
    local h
    for h in ${*:-$(seq 1 "$LAN_HOSTS")}; do
        in_host "$h" iptables -F EVL_IN
        in_host "$h" ip6tables -F EVL_IN 2>/dev/null
    done
}

# link_down H / link_up H: the host's cable, pulled and plugged back.
link_down() { ip -n "$(host_ns "$1")" link set eth0 down; }
link_up() { ip -n "$(host_ns "$1")" link set eth0 up; }
