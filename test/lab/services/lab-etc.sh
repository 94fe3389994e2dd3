# Builds a private /etc (passwd, group, shadow, gshadow, hosts, hostname) for a lab host (sourced).
# shellcheck shell=bash

# Lab users get fixed uids/gids far from the system's; names must not exist on the machine.
declare -gA LAB_UID=([labadmin]=60101 [labkey]=60102 [labplain]=60103 [labwin]=60104
  [ubuadmin]=60111 [ubudev]=60112)

# The machine's system accounts only: passwd/group entries below UID_MIN/GID_MIN plus the overflow
# ids (nobody, nogroup); shadow files follow the names kept.
system_accounts_only() {
  local dir=$1 min
  min="$(awk '$1=="UID_MIN"{print $2}' /etc/login.defs 2>/dev/null)"
  awk -F: -v min="${min:-1000}" '$3<min || $3==65534' "$dir/passwd" >"$dir/passwd.new"
  min="$(awk '$1=="GID_MIN"{print $2}' /etc/login.defs 2>/dev/null)"
  awk -F: -v min="${min:-1000}" '$3<min || $3==65534' "$dir/group" >"$dir/group.new"
  awk -F: 'NR==FNR{keep[$1]=1; next} keep[$1]' "$dir/passwd.new" "$dir/shadow" >"$dir/shadow.new"
  awk -F: 'NR==FNR{keep[$1]=1; next} keep[$1]' "$dir/group.new" "$dir/gshadow" >"$dir/gshadow.new"
  local f
  for f in passwd group shadow gshadow; do mv "$dir/$f.new" "$dir/$f"; done
}

# make_lab_etc [--system-only] DIR HOSTNAME HOME_ROOT "user:password" ... (password "*" = no
# password login). Starts from the machine's accounts (only its system ones with --system-only,
# so the host's non-system users are exactly the lab users given).
make_lab_etc() {
  local system_only=0
  if [[ $1 == --system-only ]]; then
    system_only=1
    shift
  fi
  local dir=$1 host=$2 homes=$3
  shift 3
  local spec user pass uid hash names=()
  mkdir -p "$dir" "$homes"
  for spec in "$@"; do names+=("${spec%%:*}"); done
  local re
  re="^($(IFS='|'; echo "${names[*]}")):"
  grep -Ev "$re" /etc/passwd >"$dir/passwd"
  grep -Ev "$re" /etc/group >"$dir/group"
  grep -Ev "$re" /etc/shadow >"$dir/shadow"
  grep -Ev "$re" /etc/gshadow >"$dir/gshadow"
  if ((system_only)); then system_accounts_only "$dir"; fi
  for spec in "$@"; do
    user="${spec%%:*}"
    pass="${spec#*:}"
    uid="${LAB_UID[$user]}"
    if [[ $pass == '*' ]]; then hash='*'; else hash="$(openssl passwd -6 "$pass")"; fi
    echo "$user:x:$uid:$uid:NopeSight lab $user:$homes/$user:/bin/bash" >>"$dir/passwd"
    echo "$user:x:$uid:" >>"$dir/group"
    echo "$user:$hash:20000:0:99999:7:::" >>"$dir/shadow"
    echo "$user:!::" >>"$dir/gshadow"
    mkdir -p "$homes/$user"
    chown "$uid:$uid" "$homes/$user"
    chmod 0750 "$homes/$user"
  done
  chmod 0644 "$dir/passwd" "$dir/group"
  chmod 0640 "$dir/shadow" "$dir/gshadow"
  chown root:shadow "$dir/shadow" "$dir/gshadow" 2>/dev/null || true
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$host" >"$dir/hosts"
  echo "$host" >"$dir/hostname"
  chmod 0644 "$dir/hosts" "$dir/hostname"
}
