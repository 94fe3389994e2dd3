# OpenSSH host (sourced by lab.sh): sshd with lab users in a private /etc, keys in the state dir.
# shellcheck shell=bash

ssh_up() {
  local d="$STATE/ssh" k
  if pid_of sshd >/dev/null; then return 0; fi
  stop_pid sshd
  mkdir -p "$d/authorized_keys" "$STATE/keys"
  chmod 0755 "$STATE" "$d" "$d/authorized_keys"
  for k in ed25519 ecdsa rsa; do
    [[ -f $d/ssh_host_${k}_key ]] || ssh-keygen -q -t "$k" -N '' -C "$SSH_HOSTNAME" -f "$d/ssh_host_${k}_key"
  done
  local key="$STATE/keys/labkey_ed25519"
  [[ -f $key ]] || ssh-keygen -q -t ed25519 -N '' -C "$SSH_KEY_USER@lab" -f "$key"
  chmod 0600 "$key"
  make_lab_etc "$d/etc" "$SSH_HOSTNAME" "$d/home" \
    "$SSH_ADMIN_USER:$SSH_ADMIN_PASS" "$SSH_KEY_USER:*" "$SSH_PLAIN_USER:$SSH_PLAIN_PASS"
  install -m 0644 -o root -g root "$key.pub" "$d/authorized_keys/$SSH_KEY_USER"
  # Passwordless sudo for the admin only; replaces the machine's sudoers inside this host.
  printf 'Defaults env_reset\nDefaults !lecture\nDefaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\nroot ALL=(ALL:ALL) ALL\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n' \
    "$SSH_ADMIN_USER" >"$d/etc/sudoers"
  chmod 0440 "$d/etc/sudoers"
  # A minimal PAM stack: pam_unix against the private shadow; no loginuid/systemd/motd surprises.
  mkdir -p "$d/etc/pam.d"
  printf '%s required pam_unix.so\n' auth account session password >"$d/etc/pam.d/sshd"
  cat >"$d/sshd_config" <<CONF
ListenAddress $H_SSH:22
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
AllowUsers $SSH_ADMIN_USER $SSH_KEY_USER $SSH_PLAIN_USER
PrintMotd no
PrintLastLog no
X11Forwarding no
UseDNS no
MaxStartups 100:30:200
MaxSessions 32
LoginGraceTime 30
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
Match User $SSH_KEY_USER
  PasswordAuthentication no
  KbdInteractiveAuthentication no
CONF
  # sshd insists on its privilege-separation directory; systemd normally creates it.
  [[ -d /run/sshd ]] || install -d -m 0755 /run/sshd
  start_bg sshd "$NS_ssh" unshare --mount --uts --propagation private \
    "$LAB_DIR/services/in-private-etc.sh" "$d/etc" "$SSH_HOSTNAME" /usr/sbin/sshd -D -e -f "$d/sshd_config"
}

ssh_ready() { listening "$NS_ssh" tcp 22; }
