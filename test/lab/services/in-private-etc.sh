#!/usr/bin/env bash
# Runs a command with lab-generated /etc files bind-mounted over the real ones, in a private mount ns.
# Usage (under `unshare --mount --uts --propagation private`):
#   in-private-etc.sh ETC_DIR HOSTNAME [--bind SRC DST]... CMD...
# Every regular file in ETC_DIR (and ETC_DIR/pam.d) hides the same-named /etc file for CMD only;
# each --bind hides an existing DST (file or directory, e.g. /var/lib/dpkg) with SRC the same way.
set -euo pipefail
etc=$1 host=$2
shift 2
[[ "$(findmnt -no PROPAGATION /)" == private* ]] || {
  echo "in-private-etc: / is not private here; refusing to bind-mount over /etc" >&2
  exit 1
}
[[ "$(readlink /proc/self/ns/uts)" != "$(readlink /proc/1/ns/uts)" ]] || {
  echo "in-private-etc: not in a private UTS namespace; refusing to set the hostname" >&2
  exit 1
}
for f in "$etc"/* "$etc"/pam.d/*; do
  [[ -f $f ]] || continue
  rel="${f#"$etc"/}"
  # A symlink (Debian's /etc/os-release) is followed: its target is hidden, for both names.
  [[ -e /etc/$rel ]] || continue
  mount --bind "$f" "/etc/$rel"
done
while [[ ${1:-} == --bind ]]; do
  [[ $# -ge 3 && -e $2 && -e $3 ]] || {
    echo "in-private-etc: --bind needs an existing SRC and DST (got '${2:-}' '${3:-}')" >&2
    exit 1
  }
  mount --bind "$2" "$3"
  shift 3
done
hostname "$host"
exec "$@"
