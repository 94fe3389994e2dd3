# The second OS identity (sourced by lab.sh): the machine's own OpenSSH sshd at H_SSH2, presenting
# Ubuntu 22.04 through its private mount namespace (os-release, a dpkg database with another package
# set, its own users, hostname and machine-id), plus an HTTP listener. docs/decisions/0002-test-lab.md.
# shellcheck shell=bash

# Programs this host runs: their owning packages join the generated dpkg database.
SSH2_RUNS=(/usr/sbin/sshd /usr/bin/sudo /usr/bin/python3 /usr/bin/python3.11)

# The distribution's files in /etc (os-release, issue, issue.net, debian_version) from SSH2_OS in
# lab-hosts.ts; Ubuntu is a Debian derivative, so dpkg stays its package manager.
ssh2_os_files() {
  local etc=$1
  cat >"$etc/os-release" <<OS
PRETTY_NAME="$SSH2_OS_PRETTY"
NAME="$SSH2_OS_NAME"
VERSION_ID="$SSH2_OS_VERSION_ID"
VERSION="$SSH2_OS_VERSION"
VERSION_CODENAME=$SSH2_OS_CODENAME
ID=$SSH2_OS_ID
ID_LIKE=$SSH2_OS_ID_LIKE
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=$SSH2_OS_CODENAME
OS
  printf '%s \\n \\l\n\n' "$SSH2_OS_PRETTY" >"$etc/issue"
  printf '%s\n' "$SSH2_OS_PRETTY" >"$etc/issue.net"
  printf 'bookworm/sid\n' >"$etc/debian_version"
  [[ -s $etc/machine-id ]] || printf '%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$etc/machine-id"
  chmod 0644 "$etc/os-release" "$etc/issue" "$etc/issue.net" "$etc/debian_version" "$etc/machine-id"
}

# ssh2_dpkg DB: a dpkg database (what /var/lib/dpkg holds) whose status keeps only the machine's
# records of Priority required/important/standard packages and of SSH2_RUNS' owners, with those
# packages' info files (their .list mtimes are the install times). Valid for dpkg-query.
ssh2_dpkg() {
  local db=$1 owners f base
  rm -rf "$db"
  mkdir -p "$db/info" "$db/updates" "$db/triggers"
  owners="$(dpkg-query -S "${SSH2_RUNS[@]}" | sed 's/: .*//; s/, /\n/g; s/:[^:]*$//' | sort -u | tr '\n' ' ')"
  awk -v RS= -v ORS='\n\n' -v owners="$owners" '
    BEGIN { n = split(owners, o, " "); for (i = 1; i <= n; i++) want[o[i]] = 1 }
    {
      name = ""; prio = ""
      n = split($0, line, "\n")
      for (i = 1; i <= n; i++) {
        if (line[i] ~ /^Package: /) name = substr(line[i], 10)
        if (line[i] ~ /^Priority: /) prio = substr(line[i], 11)
      }
      if (name in want || prio == "required" || prio == "important" || prio == "standard") print
    }' /var/lib/dpkg/status >"$db/status"
  : >"$db/available"
  : >"$db/diversions"
  : >"$db/statoverride"
  cp -p /var/lib/dpkg/arch "$db/arch" 2>/dev/null || true
  cp -p /var/lib/dpkg/info/format "$db/info/format" 2>/dev/null || true
  # info/<package>[:<arch>].<kind> of the packages kept.
  declare -A kept=()
  while read -r f; do kept[$f]=1; done < <(awk '/^Package: /{print $2}' "$db/status")
  for f in /var/lib/dpkg/info/*.*; do
    base="${f##*/}"
    base="${base%.*}"
    base="${base%%:*}"
    [[ ${kept[$base]+set} ]] && cp -p "$f" "$db/info/"
  done
  chmod -R go-w "$db"
  return 0
}

ssh2_up() {
  local d="$STATE/ssh2" priv
  if pid_of sshd2 >/dev/null && pid_of ssh2-http >/dev/null; then return 0; fi
  stop_pid ssh2-http
  stop_pid sshd2
  mkdir -p "$d/www"
  sshd_prepare --system-only "$d" "$SSH2_HOSTNAME" "$H_SSH2" "$SSH2_ADMIN_USER" '' \
    "$SSH2_ADMIN_USER:$SSH2_ADMIN_PASS" "$SSH2_DEV_USER:$SSH2_DEV_PASS"
  ssh2_os_files "$d/etc"
  ssh2_dpkg "$d/dpkg"
  echo "NopeSight lab: $SSH2_HOSTNAME" >"$d/www/index.html"
  chmod -R a+rX "$d/www"
  sshd_start sshd2 "$NS_ssh2" "$d" "$SSH2_HOSTNAME" --bind "$d/dpkg" /var/lib/dpkg
  # The extra listener, as nobody, inside the same identity.
  priv=("${PRIVATE_ETC[@]}" "$d/etc" "$SSH2_HOSTNAME" --bind "$d/dpkg" /var/lib/dpkg)
  start_bg ssh2-http "$NS_ssh2" "${priv[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
    /usr/bin/python3 -m http.server --bind "$H_SSH2" --directory "$d/www" "$SSH2_HTTP_PORT"
}

ssh2_ready() { listening "$NS_ssh2" tcp 22 && listening "$NS_ssh2" tcp "$SSH2_HTTP_PORT"; }
