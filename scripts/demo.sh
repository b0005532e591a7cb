#!/usr/bin/env bash
# Sets up a demo store on the real data in LENS_HOME and serves the app on http://127.0.0.1:8000.
set -euo pipefail
lens=.venv/bin/lens
: "${LENS_HOME:?LENS_HOME must be set}"
mkdir -p "$LENS_HOME"
$lens db upgrade
# The generated example actor mapping (labelled as example everywhere) and a snapshot of its
# network metrics; re-running changes nothing.
$lens actors example
$lens actors snapshot --dataset example
if [ -n "${LENS_SOURCES:-}" ] || [ -d ../shared/data ]; then
  $lens data import country-names
  $lens data import un-framework
  # UCDP GED events as incident records (re-running changes nothing); about 15 seconds.
  sources="${LENS_SOURCES:-../shared/data}"
  for ged in "$sources"/ucdp/ged/*.csv; do
    $lens incidents import ucdp-ged "$ged"
  done
  if $lens risk forecast --draws 20 --top 10; then
    # The default model's backtest beside EWP's published one, for /risk/backtest (about a minute).
    $lens risk backtest --model ensemble --bootstrap 200 --store
  else
    echo "Forecasting failed; the risk pages show no forecasts." >&2
  fi
else
  echo "No LENS_SOURCES and no ../shared/data: serving without the real data imports." >&2
fi
if [ "$($lens users list --json | .venv/bin/python -c 'import json,sys; print(len(json.load(sys.stdin)))')" = "0" ]; then
  password="${LENS_DEMO_PASSWORD:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')}"
  printf '%s\n' "$password" | $lens users add admin --role admin --password-stdin
  printf '%s\n' "$password" > "$LENS_HOME/demo-admin-password"
  chmod 600 "$LENS_HOME/demo-admin-password"
  echo "Demo admin: user 'admin', password '$password' (kept in $LENS_HOME/demo-admin-password)."
fi
exec $lens serve
