# vCenter simulator host (sourced by lab.sh): builds test/lab/vcsim once per main.go, serves HTTPS on 443.
# shellcheck shell=bash

vcenter_binary() {
  local sum
  sum="$(sha256sum "$LAB_DIR/vcsim/main.go" | cut -d' ' -f1)"
  printf '%s/vcsim-%s' "$CACHE" "$sum"
}

vcenter_build() {
  local bin tmp
  bin="$(vcenter_binary)"
  [[ -x $bin ]] && return 0
  log "building the vCenter simulator (once per main.go change, ~30 s)"
  mkdir -p "$CACHE/go-build"
  tmp="$(mktemp -d)"
  cp "$LAB_DIR/vcsim/main.go" "$tmp/"
  (cd "$tmp" && GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$CACHE/go-build" GOFLAGS= \
    go build -o "$tmp/vcsim" .) || {
    rm -rf "$tmp"
    die "vcsim build failed"
  }
  mv "$tmp/vcsim" "$bin"
  rm -rf "$tmp"
}

vcenter_up() {
  local d="$STATE/vcenter" bin
  if pid_of vcsim >/dev/null; then return 0; fi
  stop_pid vcsim
  vcenter_build
  bin="$(vcenter_binary)"
  mkdir -p "$d"
  if [[ ! -f $d/cert.pem ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$d/key.pem" -out "$d/cert.pem" \
      -subj "/CN=$VC_CN/O=NopeSight lab" -addext "subjectAltName=DNS:$VC_CN,IP:$H_VC" 2>/dev/null
    chmod 0600 "$d/key.pem"
  fi
  # The password goes through the environment: the lab's hosts share the machine's process list,
  # and the SSH collector's inventory of them must not carry another service's secret.
  export VCSIM_PASSWORD="$VC_PASS"
  start_bg vcsim "$NS_vcenter" "$bin" -listen "$H_VC:443" -username "$VC_USER" \
    -cert "$d/cert.pem" -key "$d/key.pem"
  unset VCSIM_PASSWORD
}

vcenter_ready() { listening "$NS_vcenter" tcp 443; }
