# Builds a private /etc (passwd, group, shadow, gshadow, hosts, hostname) for a lab host (sourced).
# shellcheck shell=bash

# Lab users get fixed uids/gids far from the system's; names must not exist on the machine.
declare -gA LAB_UID=([labadmin]=60101 [labkey]=60102 [labplain]=60103 [labwin]=60104)

# make_lab_etc DIR HOSTNAME HOME_ROOT "user:password" ... (password "*" = no password login)
make_lab_etc() {
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
