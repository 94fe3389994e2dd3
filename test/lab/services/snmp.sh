# net-snmp host (sourced by lab.sh): snmpd with a v2c community and a v3 authPriv user, state in the state dir.
# shellcheck shell=bash

snmp_up() {
  local d="$STATE/snmp"
  if pid_of snmpd >/dev/null; then return 0; fi
  stop_pid snmpd
  # A fresh persistent dir each start: createUser below is the only source of v3 users.
  rm -rf "$d/persist"
  mkdir -p "$d/persist"
  cat >"$d/snmpd.conf" <<CONF
agentAddress udp:$H_SNMP:161
rocommunity $SNMP_COMMUNITY default
createUser $SNMP_V3_USER $SNMP_V3_AUTH "$SNMP_V3_AUTHPASS" $SNMP_V3_PRIV "$SNMP_V3_PRIVPASS"
rouser $SNMP_V3_USER priv
sysName $SNMPD_SYSNAME
sysLocation $SNMPD_SYSLOCATION
sysContact $SNMPD_SYSCONTACT
sysServices 72
dontLogTCPWrappersConnects yes
CONF
  start_bg snmpd "$NS_snmp" env SNMP_PERSISTENT_DIR="$d/persist" \
    /usr/sbin/snmpd -f -C -c "$d/snmpd.conf" -Lf "$d/snmpd.log" -p "$d/snmpd.pid"
}

snmp_ready() { listening "$NS_snmp" udp 161; }
