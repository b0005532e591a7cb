#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, only when they are missing:
# chromium (browser tests), postgresql (the store's tests on a real server), nodejs/npm (assets),
# fonts-noto-core (the briefs' PDFs).
# With --demo, only what `make demo` needs (no chromium, no postgresql): a fresh machine then
# gets to serving sooner.
set -euo pipefail

missing=()
if [ "${1:-}" != "--demo" ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
fi
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Briefs' PDFs: Noto fonts so that Arabic and Burmese names render (Typst reads them from here).
[ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt=(sudo apt-get)
else
  echo "Missing Debian packages (${missing[*]}) and no root or sudo to install them." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
