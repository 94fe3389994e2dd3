#!/usr/bin/env bash
# Runs one benchmark inside the lab's scanner namespace: bench/run.sh sweep-bulk [--runs N]
set -euo pipefail
name="${1:?usage: bench/run.sh <sweep-bulk|sweep-drop|sweep-rss|ssh-inventory|snmp-walk|windows-inventory|platform-ingest|outbox-drain|vcenter-inventory> [--runs N]}"
shift
cd "$(dirname "$0")/.."
ns="${NOPESIGHT_BENCH_NS:-${LAB_PREFIX:-nsl}-scan}"

# Debian packages only a bench needs (its reference tool), installed on first use so that CI and
# scripts/install-test-deps.sh stay without them. Needs root, like the lab.
install_bench_deps() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "bench: $name needs ${missing[*]} (apt-get install --no-install-recommends); run as root" >&2
    exit 2
  fi
  echo "bench: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
}

case "$name" in
  # ansible-core for `ansible -m setup`; sshpass because the reference logs in with the password
  # user (the same one as ours); nftables counts the TCP connections each side opens.
  ssh-inventory) install_bench_deps ansible-core sshpass nftables ;;
  # snmpbulkwalk and snmpget, the reference of snmp-walk (also a test dependency).
  snmp-walk) install_bench_deps snmp ;;
  # impacket (Debian's python3-impacket, run by /usr/bin/python3) does the reference's SMB and
  # DCE/RPC reads; nftables counts the TCP connections and data segments each side sends.
  windows-inventory) install_bench_deps python3-impacket nftables ;;
  # Loopback only (the platform's HTTP API on 127.0.0.1): no lab, no namespace. postgresql is a
  # test dependency already (scripts/install-test-deps.sh).
  platform-ingest) exec node --import tsx "bench/$name.ts" "$@" ;;
  # Loopback only: the agent's `uploads flush` draining to the platform process on 127.0.0.1.
  outbox-drain) exec node --import tsx "bench/$name.ts" "$@" ;;
  # Loopback only: its own govmomi simulator on 127.0.0.1 and govmomi's client as the reference
  # (both built with Go from golang-github-vmware-govmomi-dev, a test dependency already).
  vcenter-inventory) exec node --import tsx "bench/$name.ts" "$@" ;;
esac
# Connect sweeps hold thousands of sockets: make sure the descriptor limit is not the bottleneck.
ulimit -n 65536 2>/dev/null || true
exec ip netns exec "$ns" node --import tsx "bench/$name.ts" "$@"
