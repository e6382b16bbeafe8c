#!/usr/bin/env bash
# Regenerates the self-signed certificate the TLS tests serve and trust (valid for 100 years, for localhost and
# 127.0.0.1). openssl 3 writes the key in PKCS#8 ("BEGIN PRIVATE KEY"), the form CollabServer.Builder#tls reads.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout server.key -out server.crt
