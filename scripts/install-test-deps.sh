#!/usr/bin/env bash
# Installs the Debian packages the real test servers need (test/servers/):
# Dovecot (IMAP with XOAUTH2/OAUTHBEARER; its submission service is the SMTP server
# replies to senders are sent through), Chromium (browser login), promtool
# (metrics format), isync/mbsync (benchmark), openssl (test certificates) and debootstrap (the
# Debian trixie chroot with Wine 10 that runs the Windows binary: scripts/wine-chroot.sh) and
# tinyproxy (an HTTP proxy for the proxy tests).
# Idempotent: when everything is present it only checks and exits (~50 ms).
set -euo pipefail

packages=(dovecot-core dovecot-imapd dovecot-submissiond chromium prometheus isync openssl debootstrap tinyproxy)
# A command each package provides, to double-check the install is usable.
commands=(dovecot "" "" chromium promtool mbsync openssl debootstrap tinyproxy)
# Printing: a real IPP Everywhere printer (ippeveprinter, ipptool), a CUPS scheduler and its
# lpadmin, the D-Bus ippeveprinter needs, pdftotext to read rendered PDFs back, a CJK font
# for text rendering, and LibreOffice for office documents.
packages+=(cups-ipp-utils cups cups-client dbus poppler-utils fonts-droid-fallback libreoffice-writer-nogui)
commands+=(ippeveprinter cupsd lpadmin dbus-daemon pdftotext "" soffice)

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

# dovecot-submissiond has no command on PATH: its service binary proves it
if [[ ! -x /usr/lib/dovecot/submission ]] && [[ ! " ${missing[*]} " =~ " dovecot-submissiond " ]]; then
  missing+=(dovecot-submissiond)
fi

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
