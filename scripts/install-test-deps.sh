#!/usr/bin/env bash
# Installs the Debian packages the tests and the lab need (idempotent; quick when already there).
# Needs root. Without root it says what it would install and carries on, so unit tests still run.
set -euo pipefail
PACKAGES=(
  iproute2 iptables nftables procps psmisc util-linux openssl sudo
  openssh-server openssh-client
  snmpd snmp snmpsim
  samba smbclient
  golang-go golang-github-vmware-govmomi-dev
  python3-cryptography python3-impacket
  ieee-data fping dnsmasq-base
  nmap hyperfine busybox
  postgresql chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-test-deps: not root; lab tests will be skipped. Missing: ${missing[*]}"
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep package scripts from starting daemons in the root namespace: the lab starts its own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}"
