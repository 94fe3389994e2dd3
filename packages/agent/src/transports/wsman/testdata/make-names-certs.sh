#!/bin/sh
# Test-only PKI for the WinRM HTTPS name checks (wsman-tls.test.ts, winrm-https-scan.test.ts): a CA
# and a server certificate it issued that names the DNS name win1.lab.test only (no IP address),
# as an internal CA issues WinRM certificates. The keys are test keys, committed on purpose; this
# script rewrites all three files (run it from this directory).
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
  -subj '/CN=NopeSight Test Lab CA' -keyout "$tmp/ca-key.pem" -out names-ca.pem \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj '/CN=win1.lab.test' -keyout names-server-key.pem -out "$tmp/server.csr"
printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:win1.lab.test' >"$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA names-ca.pem -CAkey "$tmp/ca-key.pem" \
  -CAserial "$tmp/ca.srl" -CAcreateserial -days 36500 -extfile "$tmp/ext" -out names-server-cert.pem
