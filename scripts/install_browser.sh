#!/usr/bin/env bash
# The real-browser test drives Debian's chromium through its chromedriver; a CJK font makes
# the Chinese pages readable in its screenshots. Installed when missing and we may (root or
# passwordless sudo); otherwise the test skips and says how to install them.
set -euo pipefail
# nginx runs deploy/nginx-salescoach.conf in the proxy test (it is not started as a service).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -x /usr/sbin/nginx ]; then
    exit 0
fi
packages="chromium chromium-driver fonts-wqy-microhei nginx"
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "note: chromium not installed and no root: the browser test will skip." >&2
    echo "      install it with: sudo apt-get install -y $packages" >&2
    exit 0
fi
echo "installing $packages (for the browser test)"
$sudo apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null
# Debian starts the nginx service on install where it can: nothing of ours should listen.
$sudo nginx -s stop 2>/dev/null || true
