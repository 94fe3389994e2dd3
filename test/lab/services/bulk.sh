# Bulk host (sourced by lab.sh): one Node responder for the bulk ports on all BULK_COUNT addresses.
# shellcheck shell=bash

BULK_LISTEN_PORTS=22,443,445,5985

bulk_up() {
  if pid_of bulk-responder >/dev/null; then return 0; fi
  stop_pid bulk-responder
  start_bg bulk-responder "$NS_bulk" "$NODE" "$LAB_DIR/bulk-responder.mjs" "$BULK_LISTEN_PORTS"
}

bulk_ready() {
  local p
  for p in ${BULK_LISTEN_PORTS//,/ }; do listening "$NS_bulk" tcp "$p" || return 1; done
}
