# Samba host (sourced by lab.sh): smbd, nmbd and samba-dcerpcd with every Samba dir in the state dir.
# shellcheck shell=bash

SAMBA_LIBEXEC=/usr/libexec/samba

smb_conf() {
  local d=$1
  cat <<CONF
[global]
  workgroup = $SMB_WORKGROUP
  netbios name = $SMB_NETBIOS
  server string = NopeSight lab Samba
  server role = standalone server
  interfaces = $H_SMB/$LAN_PREFIX_LENGTH
  bind interfaces only = yes
  smb ports = 445 139
  disable netbios = no
  private dir = $d/private
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  pid directory = $d/pid
  ncalrpc dir = $d/ncalrpc
  binddns dir = $d/bind-dns
  winbindd socket directory = $d/winbindd
  ntp signd socket directory = $d/ntp_signd
  usershare path = $d/usershares
  passdb backend = tdbsam:$d/private/passdb.tdb
  log file = $d/log/log.%m
  max log size = 2000
  logging = file
  map to guest = never
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  # samba-dcerpcd runs standalone (endpoint mapper on tcp/135), not started on demand by smbd.
  rpc start on demand helpers = no
  dns proxy = no
  wins support = no
  local master = no

[labshare]
  comment = Lab read-write share
  path = $d/shares/labshare
  read only = no
  valid users = $SMB_USER

[encshare]
  comment = Lab share that requires SMB3 encryption (transport tests)
  path = $d/shares/encshare
  read only = no
  valid users = $SMB_USER
  smb encrypt = required

[public]
  comment = Lab read-only share
  path = $d/shares/public
  read only = yes
  guest ok = yes
CONF
}

# A fake Windows software inventory (the Uninstall tree), read back over \PIPE\winreg by the
# DCE/RPC lab tests. `net registry` writes registry.tdb in the state dir; run before smbd starts.
SMB_UNINSTALL='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
smb_plant_registry() {
  local d=$1 key
  shift
  local net=(ip netns exec "$NS_smb" "$@" net -s "$d/smb.conf" registry)
  {
    for key in NsLabEditor NsLabAgent; do "${net[@]}" createkey "$SMB_UNINSTALL\\$key" || return 1; done
    "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabEditor" DisplayName sz "NopeSight Lab Editor" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabEditor" DisplayVersion sz "2.4.1" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabEditor" Publisher sz "NopeSight Labs" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabEditor" InstallDate sz "20240115" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabAgent" DisplayName sz "NopeSight Lab Agent (x64)" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabAgent" DisplayVersion sz "10.0.19041" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabAgent" Publisher sz "Contoso Ltd." &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabAgent" InstallDate sz "20231201" &&
      "${net[@]}" setvalue "$SMB_UNINSTALL\\NsLabAgent" EstimatedSize dword 2048
  } >"$LOGS/smb-registry.log" 2>&1 || die "net registry failed (see $LOGS/smb-registry.log)"
}

smb_up() {
  local d="$STATE/smb" x
  if pid_of smbd >/dev/null && pid_of nmbd >/dev/null && pid_of samba-dcerpcd >/dev/null; then return 0; fi
  stop_pid samba-dcerpcd
  stop_pid smbd
  stop_pid nmbd
  for x in private lock state cache pid ncalrpc bind-dns winbindd ntp_signd usershares log shares/labshare shares/encshare shares/public; do
    mkdir -p "$d/$x"
  done
  chmod 0700 "$d/private"
  chmod 1770 "$d/usershares"
  make_lab_etc "$d/etc" "$SMB_HOSTNAME" "$d/home" "$SMB_USER:$SMB_PASS"
  chown "${LAB_UID[$SMB_USER]}:${LAB_UID[$SMB_USER]}" "$d/shares/labshare" "$d/shares/encshare"
  echo "NopeSight lab public share" >"$d/shares/public/README.txt"
  smb_conf "$d" >"$d/smb.conf"
  local priv=("${PRIVATE_ETC[@]}" "$d/etc" "$SMB_HOSTNAME")
  # The Samba account (needs the unix user, so inside the private /etc too).
  printf '%s\n%s\n' "$SMB_PASS" "$SMB_PASS" |
    ip netns exec "$NS_smb" "${priv[@]}" pdbedit -s "$d/smb.conf" -a -t -u "$SMB_USER" >"$LOGS/pdbedit.log" 2>&1 ||
    die "pdbedit failed (see $LOGS/pdbedit.log)"
  smb_plant_windows "$d" "${priv[@]}" # test/lab/services/smb-registry.sh
  smb_plant_registry "$d" "${priv[@]}"
  start_bg samba-dcerpcd "$NS_smb" "${priv[@]}" "$SAMBA_LIBEXEC/samba-dcerpcd" -F --no-process-group \
    --libexec-rpcds -s "$d/smb.conf"
  start_bg smbd "$NS_smb" "${priv[@]}" /usr/sbin/smbd -F --no-process-group -s "$d/smb.conf"
  start_bg nmbd "$NS_smb" "${priv[@]}" /usr/sbin/nmbd -F --no-process-group -s "$d/smb.conf"
}

smb_ready() { listening "$NS_smb" tcp 445 && listening "$NS_smb" tcp 139 && listening "$NS_smb" udp 137; }
smb_epmap_ready() { listening "$NS_smb" tcp 135; }
