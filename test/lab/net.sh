# Lab topology (sourced by lab.sh): switch bridge, one veth per host, scanner routes, bulk and drop hosts.
# shellcheck shell=bash

HOST_ROLES=(scan ssh ssh2 snmp snmpsim smb vcenter bulk drop)

net_is_up() {
  local ns
  [[ -f $STATE/net.ready ]] || return 1
  for ns in "${ALL_NS[@]}"; do [[ -e /run/netns/$ns ]] || return 1; done
}

net_down() {
  local ns
  for ns in "${ALL_NS[@]}"; do
    if [[ -e /run/netns/$ns ]]; then ip netns del "$ns" 2>/dev/null || true; fi
  done
  rm -f "$STATE/net.ready"
}

# sysctl inside a namespace, quiet.
ns_sysctl() {
  local ns=$1
  shift
  ip netns exec "$ns" sysctl -qw "$@" >/dev/null
}

net_up() {
  local role ns addr batch i
  net_down
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_switch" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$NS_switch" link set br0 up
  for role in "${HOST_ROLES[@]}"; do
    ns="$(ns_of "$role")"
    addr="${HOST_ADDR[$role]}"
    # The veth is born with one end in the switch and the other in the host: nothing in the root ns.
    ip -n "$NS_switch" link add "v-$role" type veth peer name eth0 netns "$ns"
    ip -n "$NS_switch" link set "v-$role" master br0 up
    ip -n "$ns" link set eth0 address "$(mac_of "$addr")"
    ns_sysctl "$ns" net.ipv6.conf.eth0.disable_ipv6=1
    ip -n "$ns" addr add "$addr/$LAN_PREFIX_LENGTH" dev eth0
    ip -n "$ns" link set eth0 up
  done

  # Scanner: lab routes only, no default route; room for many outgoing connections.
  ip -n "$NS_scan" route add "$BULK_CIDR" via "$H_BULK"
  ip -n "$NS_scan" route add "$ABSENT_CIDR" via "$H_DROP"
  ns_sysctl "$NS_scan" net.ipv4.ip_local_port_range="10000 65535" net.ipv4.tcp_tw_reuse=1
  # Permanent neighbours: a sweep never waits on (or overflows the global table with) ARP for these.
  for role in ssh ssh2 snmp snmpsim smb vcenter bulk drop; do
    addr="${HOST_ADDR[$role]}"
    ip -n "$NS_scan" neigh replace "$addr" lladdr "$(mac_of "$addr")" dev eth0 nud permanent
    ip -n "$(ns_of "$role")" neigh replace "$SCANNER_ADDRESS" lladdr "$(mac_of "$SCANNER_ADDRESS")" \
      dev eth0 nud permanent
  done

  # Bulk: BULK_COUNT local /32s answered by bulk-responder on 0.0.0.0; nft shapes the open ports.
  batch="$(mktemp)"
  for addr in $BULK_ADDRS; do echo "address add $addr/32 dev eth0"; done >"$batch"
  ip -n "$NS_bulk" -batch "$batch"
  rm -f "$batch"
  ns_sysctl "$NS_bulk" net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 \
    net.ipv4.ip_forward=0
  local tens=0
  for ((i = 10; i <= 250; i += 10)); do tens+=", $i"; done
  ip netns exec "$NS_bulk" nft -f - <<NFT
table inet lab {
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    # Addresses of the /22 beyond the first BULK_COUNT: silently dropped (no ICMP, no RST).
    ip daddr $BULK_CIDR fib daddr type != local drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    # 443 open on even last octets only; 5985 only where the last octet is divisible by 10.
    tcp dport 443 ip daddr & 0.0.0.1 == 0.0.0.1 reject with tcp reset
    tcp dport 5985 @nh,152,8 != { $tens } reject with tcp reset
  }
}
NFT

  # Drop: DROP_FIRST..DROP_LAST answer ARP (local addresses) but nft drops all their IP; the
  # absent /16 is forwarded into a blackhole route (silently discarded).
  batch="$(mktemp)"
  for ((i = DROP_FIRST; i <= DROP_LAST; i++)); do echo "address add $DROP_PREFIX.$i/32 dev eth0"; done >"$batch"
  ip -n "$NS_drop" -batch "$batch"
  rm -f "$batch"
  ip -n "$NS_drop" route add blackhole "$ABSENT_CIDR"
  ns_sysctl "$NS_drop" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    net.ipv4.conf.eth0.send_redirects=0
  ip netns exec "$NS_drop" nft -f - <<NFT
table inet lab {
  chain input {
    type filter hook input priority filter; policy accept;
    ip daddr $DROP_PREFIX.$DROP_FIRST-$DROP_PREFIX.$DROP_LAST drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
  }
}
NFT
  touch "$STATE/net.ready"
}
