# The namespace LAN (sourced by the scenarios; bash).
#
# Topology, all of it inside namespaces this run creates (nothing in the root
# namespace, never a real interface):
#
#   ${PFX}h<i>:eth0 10.99.0.<i>/24 (fd00:99::<i>/64 with LAN_V6=1)
#        <-veth->  ${PFX}hub:${PFX}v<i> -- br0 (a plain switch in ${PFX}hub)
#
# PFX is "evl<pid of the scenario>", so two runs (and the peer-bench LAN, whose
# names start with "cb") never collide, and a leftover of a run whose process is
# gone is recognisable as stale by its pid (lan_clean_stale).

PFX=${PFX:-evl$$}
HUB=${PFX}hub
LAN_HOSTS=0

host_ns() { echo "${PFX}h$1"; }
host_addr() { echo "10.99.0.$1"; }
host_addr6() { echo "fd00:99::$1"; }

# in_host I CMD...: run CMD inside host I's namespace.
in_host() {
    local h=$1
    shift
    ip netns exec "$(host_ns "$h")" "$@"
}

ns_list() { ip netns list 2>/dev/null | awk '{print $1}'; }

# ns_kill_all NS: SIGKILL every process inside NS (only ours live there).
ns_kill_all() {
    local p
    for p in $(ip netns pids "$1" 2>/dev/null); do
        kill -CONT "$p" 2>/dev/null
        kill -9 "$p" 2>/dev/null
    done
}

# Remove namespaces left by an earlier run of this harness that was killed
# before its trap could run: their names carry the pid of a process that no
# longer runs this harness.
lan_clean_stale() {
    local ns pid
    for ns in $(ns_list | grep -E '^evl[0-9]+(hub|h[0-9]+)$'); do
        pid=${ns#evl}
        pid=${pid%%[hv]*}
        [ "$pid" = "$$" ] && continue
        if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'lan/'; then
            continue    # a live run of this harness owns it
        fi
        ns_kill_all "$ns"
        ip netns del "$ns" 2>/dev/null && echo "     | removed stale namespace $ns"
    done
}

# lan_up N: the hub with its bridge and N hosts. LAN_V6=1 enables IPv6 on the
# hosts (it stays off otherwise, so that no router/neighbour chatter disturbs).
lan_up() {
    local n=$1 i ns v6=${LAN_V6:-0}
    ip netns add "$HUB" || return 1
    ip -n "$HUB" link set lo up
    # A plain switch: no STP delay, no IGMP/MLD snooping (every port gets every
    # multicast), and bridged frames never pass netfilter (br_netfilter may be
    # built in; the sysctl is per namespace).
    ip -n "$HUB" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
    for k in iptables ip6tables arptables; do
        ip netns exec "$HUB" sysctl -qw "net.bridge.bridge-nf-call-$k=0" 2>/dev/null
    done
    ip -n "$HUB" link set br0 up
    for i in $(seq 1 "$n"); do
        ns=$(host_ns "$i")
        ip netns add "$ns" || return 1
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$((1 - v6))
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=$((1 - v6))
        ip -n "$ns" link set lo up
        # The veth is made inside the hub and its peer pushed into the host:
        # it never exists in the root namespace.
        ip -n "$HUB" link add "${PFX}v$i" type veth peer name eth0 netns "$ns" || return 1
        ip -n "$HUB" link set "${PFX}v$i" master br0
        ip -n "$HUB" link set "${PFX}v$i" up
        ip -n "$ns" addr add "$(host_addr "$i")/24" dev eth0
        if [ "$v6" = 1 ]; then
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
            # nodad: the address is usable at once, not after duplicate detection
            ip -n "$ns" addr add "$(host_addr6 "$i")/64" dev eth0 nodad
        fi
        ip -n "$ns" link set eth0 up
        # The fault chains, hooked once; faults add and flush rules in them.
        ip netns exec "$ns" iptables -N EVL_IN
        ip netns exec "$ns" iptables -A INPUT -j EVL_IN
        ip netns exec "$ns" ip6tables -N EVL_IN 2>/dev/null
        ip netns exec "$ns" ip6tables -A INPUT -j EVL_IN 2>/dev/null
        LAN_HOSTS=$i
    done
}

# lan_down: every process in our namespaces, then the namespaces.
lan_down() {
    local ns
    for ns in $(ns_list | grep -E "^${PFX}(hub|h[0-9]+)\$"); do
        ns_kill_all "$ns"
    done
    for ns in $(ns_list | grep -E "^${PFX}(hub|h[0-9]+)\$"); do
        ip netns del "$ns" 2>/dev/null
    done
}
