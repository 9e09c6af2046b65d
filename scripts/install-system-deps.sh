#!/usr/bin/env bash
# Debian packages the tests need (installed only when missing).
set -euo pipefail
need=()
for pkg in "$@"; do :; done
# (each feature adds what it needs below)
# Monthly report: the HTML report is checked in headless Chromium (playwright-core
# drives Debian's chromium), with a Japanese font for it to render the page.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-ipafont-gothic)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install as root: apt-get install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
