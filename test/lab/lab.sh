#!/usr/bin/env bash
# The network-namespace test lab: `lab.sh up|down|status` (root). See test/lab/README.md.
# LAB_PREFIX (default nsl) names the namespaces; NOPESIGHT_LAB_DIR (default /run/nopesight-lab, or /run/nopesight-lab-PREFIX) holds state.
set -euo pipefail

# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=test/lab/net.sh
source "$LAB_DIR/net.sh"
for f in "$LAB_DIR"/services/*.sh; do
  [[ $f == */in-private-etc.sh ]] || source "$f"
done

SERVICES=(bulk ssh ssh2 snmp snmpsim smb vcenter)
# Recorded process names, in stop order.
PROCS=(vcsim nmbd smbd samba-dcerpcd snmpsim snmpd ssh2-http sshd2 sshd bulk-responder)
NS_SUFFIX_FALLBACK=(sw scan ssh ssh2 snmp snmpsim smb vc bulk drop)

need_root() { [[ $(id -u) == 0 ]] || die "needs root (network namespaces)"; }

# One lab.sh at a time per prefix: parallel test runs all call `up`.
take_lock() {
  exec 9>"/run/lock/nopesight-lab-$P.lk"
  flock -w 180 9 || die "another lab.sh holds the lock for 180 s"
}

# Namespace names even when the plan cannot be read (down must always work).
prefix_namespaces() {
  if [[ ${ALL_NS+set} ]]; then
    printf '%s\n' "${ALL_NS[@]}"
  else
    printf "$P-%s\n" "${NS_SUFFIX_FALLBACK[@]}"
  fi
}

stop_services() {
  local name
  for name in "${PROCS[@]}"; do stop_pid "$name"; done
  # Stray children (sshd sessions, smbd workers, rpcd helpers) live only in service namespaces:
  # stop them by PID. The scanner namespace is left alone (other people's test runs live there).
  local ns pid
  while read -r ns; do
    [[ $ns == "$P-scan" || ! -e /run/netns/$ns ]] && continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done < <(prefix_namespaces)
}

cmd_up() {
  local t0=$SECONDS s
  need_root
  mkdir -p "$STATE"
  chmod 0755 "$STATE"
  touch "$STATE/.nopesight-lab"
  mkdir -p "$PIDS" "$LOGS"
  take_lock
  load_plan
  if net_is_up; then
    log "network already up"
  else
    log "building the network"
    stop_services
    net_up
  fi
  for s in "${SERVICES[@]}"; do "${s}_up"; done
  local failed=0
  wait_for "bulk responder" 30 bulk_ready || failed=1
  wait_for "sshd on $H_SSH:22" 30 ssh_ready || failed=1
  wait_for "sshd and http on $H_SSH2 (22, $SSH2_HTTP_PORT)" 30 ssh2_ready || failed=1
  wait_for "snmpd on $H_SNMP:161" 30 snmp_ready || failed=1
  wait_for "Samba on $H_SMB (445, 139, 137)" 30 smb_ready || failed=1
  wait_for "vcsim on $H_VC:443" 90 vcenter_ready || failed=1
  wait_for "snmpsim on $H_SNMPSIM:161" 60 snmpsim_ready || failed=1
  wait_for "samba-dcerpcd endpoint mapper on $H_SMB:135" 15 smb_epmap_ready ||
    log "warning: no endpoint mapper on 135 (see $LOGS/samba-dcerpcd.log)"
  if ((failed)); then
    log "lab is NOT fully up; logs in $LOGS"
    cmd_status_inner
    exit 1
  fi
  log "lab up in $((SECONDS - t0)) s (state: $STATE; run: ip netns exec $NS_scan CMD)"
}

cmd_down() {
  need_root
  take_lock
  load_plan 2>/dev/null || true
  stop_services
  local ns
  while read -r ns; do
    if [[ -e /run/netns/$ns ]]; then ip netns del "$ns" 2>/dev/null || log "could not delete $ns"; fi
  done < <(prefix_namespaces)
  # Only a directory lab.sh made itself is removed.
  if [[ -f $STATE/.nopesight-lab ]]; then rm -rf "$STATE"; fi
  log "lab down"
}

cmd_status_inner() {
  local ns role addr n name pid
  echo "lab prefix $P, state $STATE"
  echo "namespaces:"
  while read -r ns; do
    if [[ -e /run/netns/$ns ]]; then echo "  $ns up"; else echo "  $ns MISSING"; fi
  done < <(prefix_namespaces)
  if declare -p HOST_ADDR &>/dev/null; then
    echo "addresses:"
    for role in "${!HOST_ADDR[@]}"; do
      ns="$(ns_of "$role")"
      [[ -e /run/netns/$ns ]] || continue
      n="$(ip -n "$ns" -4 -o addr show dev eth0 2>/dev/null | wc -l)"
      addr="$(ip -n "$ns" -4 -o addr show dev eth0 2>/dev/null | awk 'NR==1{print $4}')"
      printf '  %-8s %-10s %s (%s IPv4 addresses)\n' "$role" "$ns" "$addr" "$n"
    done | sort
    if [[ -e /run/netns/$NS_scan ]]; then
      echo "scanner routes:"
      ip -n "$NS_scan" -4 route show | sed 's/^/  /'
    fi
  fi
  echo "services:"
  for name in "${PROCS[@]}"; do
    if pid="$(pid_of "$name")"; then
      printf '  %-15s pid %-8s alive\n' "$name" "$pid"
    elif [[ -f $PIDS/$name.pid ]]; then
      printf '  %-15s pid %-8s DEAD (log: %s)\n' "$name" "$(cut -d' ' -f1 "$PIDS/$name.pid")" "$LOGS/$name.log"
    else
      printf '  %-15s not started\n' "$name"
    fi
  done
}

cmd_status() {
  [[ $(id -u) == 0 ]] || echo "(not root: PIDs of root services may show as DEAD; run as root)"
  load_plan 2>/dev/null || true
  cmd_status_inner
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status   (env: LAB_PREFIX=$P NOPESIGHT_LAB_DIR=$STATE)" >&2
    exit 2
    ;;
esac
