#!/usr/bin/env bash
# Runs a command with lab-generated /etc files bind-mounted over the real ones, in a private mount ns.
# Usage (under `unshare --mount --uts --propagation private`): in-private-etc.sh ETC_DIR HOSTNAME CMD...
# Every regular file in ETC_DIR (and ETC_DIR/pam.d) hides the same-named /etc file for CMD only.
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
  [[ -e /etc/$rel ]] || continue
  mount --bind "$f" "/etc/$rel"
done
hostname "$host"
exec "$@"
