# Shared helpers for lab.sh and test/lab/services/*.sh (sourced): names, logging, PID bookkeeping.
# shellcheck shell=bash

P="${LAB_PREFIX:-nsl}"
if [ "$P" = nsl ]; then STATE="${NOPESIGHT_LAB_DIR:-/run/nopesight-lab}"; else STATE="${NOPESIGHT_LAB_DIR:-/run/nopesight-lab-$P}"; fi
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LAB_DIR/../.." && pwd)"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
CACHE=/var/cache/nopesight-lab
# Node from PATH, or the one running run-tests.mjs when PATH has none.
NODE="$(command -v node || echo "${NODE_BIN:-/usr/bin/node}")"

log() { printf '%s lab[%s]: %s\n' "$(date +%T)" "$P" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Reads the address plan from lab-hosts.ts (through lab-env.ts) and names this prefix's namespaces.
load_plan() {
  local plan kv
  plan="$(cd "$ROOT" && "$NODE" --import tsx "$LAB_DIR/lab-env.ts")" || {
    log "cannot read lab-hosts.ts through lab-env.ts"
    return 1
  }
  eval "$plan"
  for kv in $NS_SUFFIXES; do
    declare -g "NS_${kv%%=*}=$P-${kv#*=}"
  done
  # Every namespace this prefix owns; hosts are joined to the switch in this order.
  ALL_NS=("$NS_switch" "$NS_scan" "$NS_ssh" "$NS_ssh2" "$NS_snmp" "$NS_snmpsim" "$NS_smb" "$NS_vcenter"
    "$NS_bulk" "$NS_drop")
  declare -gA HOST_ADDR=(
    [scan]="$SCANNER_ADDRESS" [ssh]="$H_SSH" [ssh2]="$H_SSH2" [snmp]="$H_SNMP" [snmpsim]="$H_SNMPSIM"
    [smb]="$H_SMB" [vcenter]="$H_VC" [bulk]="$H_BULK" [drop]="$H_DROP"
  )
}

# ns_of ROLE -> namespace name for a role (scan, ssh, ...).
ns_of() {
  local v="NS_$1"
  printf '%s' "${!v}"
}

# mac_of ADDRESS -> 02:00:a:b:c:d (same rule as labMacAddress in lab-hosts.ts).
mac_of() {
  local IFS=.
  # shellcheck disable=SC2086
  printf '02:00:%02x:%02x:%02x:%02x' $1
}

# "${PRIVATE_ETC[@]}" ETC_DIR HOSTNAME [--bind SRC DST]... CMD... runs CMD in its own mount and UTS
# namespace over a lab-made /etc (see services/in-private-etc.sh); prefix it with start_bg.
PRIVATE_ETC=(unshare --mount --uts --propagation private "$LAB_DIR/services/in-private-etc.sh")

in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# The inode of a namespace's network stack, to check a recorded PID still lives in it.
ns_inode() { stat -L -c %i "/run/netns/$1" 2>/dev/null; }

# start_bg NAME NS CMD... : starts CMD inside NS in its own session, output to logs/NAME.log,
# and records "PID NS" in pids/NAME.pid. ip netns exec, setsid and env all exec, so $! is CMD's PID.
start_bg() {
  local name=$1 ns=$2
  shift 2
  mkdir -p "$PIDS" "$LOGS"
  # 9>&- : daemons must not inherit lab.sh's lock (see take_lock in lab.sh).
  setsid ip netns exec "$ns" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 9>&- &
  echo "$! $ns" >"$PIDS/$name.pid"
}

# pid_of NAME -> the recorded PID when it is alive and still in its namespace; fails otherwise.
pid_of() {
  local f="$PIDS/$1.pid" pid ns st
  [[ -s $f ]] || return 1
  read -r pid ns <"$f"
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  st="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ $st != Z ]] || return 1
  [[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" == "net:[$(ns_inode "$ns")]" ]] || return 1
  printf '%s' "$pid"
}

# stop_pid NAME: TERM the recorded PID, KILL it after 5 s, forget it.
stop_pid() {
  local name=$1 pid i
  if pid="$(pid_of "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      [[ -d /proc/$pid ]] || break
      [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

# wait_for DESCRIPTION SECONDS CMD... : polls CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
  local what=$1 secs=$2 end
  shift 2
  end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      log "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# listening NS PROTO PORT [ADDR]: a socket listens on PORT (tcp or udp) inside NS.
listening() {
  local ns=$1 proto=$2 port=$3 flag=-Hltn
  [[ $proto == udp ]] && flag=-Hlun
  [[ -n "$(ip netns exec "$ns" ss "$flag" "sport = :$port" 2>/dev/null)" ]]
}
