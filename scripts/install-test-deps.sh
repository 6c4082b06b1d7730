#!/usr/bin/env bash
# Installs the Debian packages the real test servers need (test/servers/):
# Dovecot (IMAP with XOAUTH2/OAUTHBEARER), Chromium (browser login), promtool
# (metrics format), isync/mbsync (benchmark), openssl (test certificates) and
# tinyproxy (an HTTP proxy for the proxy tests).
# Idempotent: when everything is present it only checks and exits (~50 ms).
set -euo pipefail

packages=(dovecot-core dovecot-imapd chromium prometheus isync openssl tinyproxy)
# A command each package provides, to double-check the install is usable.
commands=(dovecot "" chromium promtool mbsync openssl tinyproxy)

missing=()
for i in "${!packages[@]}"; do
  pkg=${packages[$i]}
  cmd=${commands[$i]}
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  elif [[ -n $cmd ]] && ! command -v "$cmd" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-test-deps: all present (${packages[*]})"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's policy-rc.d usually keeps apt from starting the system Dovecot; if
# it did start anyway, stop it so it does not hold ports or confuse tests.
# The tests always run private instances (`dovecot -c <conf>`).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then
  $sudo systemctl stop dovecot || true
fi
# The same for the system tinyproxy: the tests start their own (`tinyproxy -d -c <conf>`).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet tinyproxy 2>/dev/null; then
  $sudo systemctl stop tinyproxy || true
fi
echo "install-test-deps: done"
