# snmpsim host (sourced by lab.sh): recorded devices from Debian's snmpsim examples, one community each.
# shellcheck shell=bash

SNMPSIM_EXAMPLES=/usr/share/doc/snmpsim/examples/data

snmpsim_up() {
  local d="$STATE/snmpsim" rec community src
  if pid_of snmpsim >/dev/null; then return 0; fi
  stop_pid snmpsim
  rm -rf "$d/data"
  mkdir -p "$d/data" "$d/cache"
  for rec in $SNMPSIM_RECORDINGS; do
    community="${rec%%=*}"
    src="$SNMPSIM_EXAMPLES/${rec#*=}"
    [[ -f $src ]] || die "snmpsim recording missing: $src"
    if [[ $src == *.gz ]]; then zcat "$src" >"$d/data/$community.snmprec"; else cp "$src" "$d/data/$community.snmprec"; fi
  done
  # Its per-request log rotates at 1 MB (30 files at most); /run is RAM.
  chown -R nobody:nogroup "$d"
  start_bg snmpsim "$NS_snmpsim" /usr/bin/snmpsimd --data-dir="$d/data" --cache-dir="$d/cache" \
    --agent-udpv4-endpoint="$H_SNMPSIM:161" --process-user=nobody --process-group=nogroup \
    --logging-method="file:$d/snmpsim.log:1m"
}

# snmpsim binds before it has indexed its data, so ask it for a value.
snmpsim_ready() {
  local first="${SNMPSIM_RECORDINGS%%=*}"
  ip netns exec "$NS_scan" snmpget -v2c -c "$first" -t 1 -r 0 -On "$H_SNMPSIM" 1.3.6.1.2.1.1.5.0 2>/dev/null |
    grep -q '^\.1\.3\.6\.1\.2\.1\.1\.5\.0 = '
}
