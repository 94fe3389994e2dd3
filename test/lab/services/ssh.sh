# OpenSSH hosts (sourced by lab.sh): real sshd with lab users in a private /etc, keys in the state
# dir. sshd_prepare/sshd_start serve both the machine's Debian at H_SSH (ssh_up, below) and the
# second OS identity at H_SSH2 (ssh2.sh).
# shellcheck shell=bash

# sshd_prepare [--system-only] DIR HOSTNAME ADDRESS SUDO_USER KEY_USER "user:password"...
# Writes host keys, a private etc (users, sudoers, PAM) and sshd_config under DIR. SUDO_USER gets
# passwordless sudo; KEY_USER ('' for none) may log in with a key from DIR/authorized_keys only.
# Every user given is in AllowUsers. --system-only: see make_lab_etc.
sshd_prepare() {
  local etc_opt=()
  if [[ $1 == --system-only ]]; then
    etc_opt=(--system-only)
    shift
  fi
  local d=$1 host=$2 addr=$3 sudo_user=$4 key_user=$5 k spec allow=()
  shift 5
  for spec in "$@"; do allow+=("${spec%%:*}"); done
  mkdir -p "$d/authorized_keys"
  chmod 0755 "$STATE" "$d" "$d/authorized_keys"
  for k in ed25519 ecdsa rsa; do
    [[ -f $d/ssh_host_${k}_key ]] || ssh-keygen -q -t "$k" -N '' -C "$host" -f "$d/ssh_host_${k}_key"
  done
  make_lab_etc "${etc_opt[@]}" "$d/etc" "$host" "$d/home" "$@"
  # Passwordless sudo for the admin only; replaces the machine's sudoers inside this host.
  printf 'Defaults env_reset\nDefaults !lecture\nDefaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\nroot ALL=(ALL:ALL) ALL\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n' \
    "$sudo_user" >"$d/etc/sudoers"
  chmod 0440 "$d/etc/sudoers"
  # A minimal PAM stack: pam_unix against the private shadow; no loginuid/systemd/motd surprises.
  mkdir -p "$d/etc/pam.d"
  printf '%s required pam_unix.so\n' auth account session password >"$d/etc/pam.d/sshd"
  cat >"$d/sshd_config" <<CONF
ListenAddress $addr:22
HostKey $d/ssh_host_ed25519_key
HostKey $d/ssh_host_ecdsa_key
HostKey $d/ssh_host_rsa_key
PidFile $d/sshd.pid
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
PermitRootLogin no
AuthorizedKeysFile $d/authorized_keys/%u
AllowUsers ${allow[*]}
PrintMotd no
PrintLastLog no
X11Forwarding no
UseDNS no
MaxStartups 100:30:200
MaxSessions 32
LoginGraceTime 30
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
CONF
  if [[ -n $key_user ]]; then
    printf 'Match User %s\n  PasswordAuthentication no\n  KbdInteractiveAuthentication no\n' \
      "$key_user" >>"$d/sshd_config"
  fi
}

# sshd_start PROC NS DIR HOSTNAME [--bind SRC DST]... : runs DIR's sshd in NS, in its own mount and
# UTS namespace over DIR/etc (and the extra binds, see in-private-etc.sh), recorded as PROC.
sshd_start() {
  local proc=$1 ns=$2 d=$3 host=$4
  shift 4
  # sshd insists on its privilege-separation directory; systemd normally creates it.
  [[ -d /run/sshd ]] || install -d -m 0755 /run/sshd
  start_bg "$proc" "$ns" "${PRIVATE_ETC[@]}" "$d/etc" "$host" "$@" /usr/sbin/sshd -D -e -f "$d/sshd_config"
}

ssh_up() {
  local d="$STATE/ssh"
  if pid_of sshd >/dev/null; then return 0; fi
  stop_pid sshd
  mkdir -p "$d" "$STATE/keys"
  local key="$STATE/keys/labkey_ed25519"
  [[ -f $key ]] || ssh-keygen -q -t ed25519 -N '' -C "$SSH_KEY_USER@lab" -f "$key"
  chmod 0600 "$key"
  sshd_prepare "$d" "$SSH_HOSTNAME" "$H_SSH" "$SSH_ADMIN_USER" "$SSH_KEY_USER" \
    "$SSH_ADMIN_USER:$SSH_ADMIN_PASS" "$SSH_KEY_USER:*" "$SSH_PLAIN_USER:$SSH_PLAIN_PASS"
  install -m 0644 -o root -g root "$key.pub" "$d/authorized_keys/$SSH_KEY_USER"
  sshd_start sshd "$NS_ssh" "$d" "$SSH_HOSTNAME"
}

ssh_ready() { listening "$NS_ssh" tcp 22; }
