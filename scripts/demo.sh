#!/usr/bin/env bash
# Sets up a demo store on the real data and serves the app (http://127.0.0.1:8000). The store is
# the one every `lens` command of this checkout uses: LENS_HOME or LENS_DATABASE_URL when set
# (environment or .env), else .lens/ in the checkout (docs/settings.md, "Which store").
#
# The server starts within seconds: before it, only the quick steps run (the schema, the country
# names, the Framework of Analysis, the example actors, the demo admin), each timed on one line.
# The long ones (the example speech feed, the UCDP GED incidents, the forecast, the backtest)
# run once the server answers /healthz, in the background, with their progress in
# $LENS_HOME/demo-setup.log; the pages fill in as each finishes. A later run whose data files and code are unchanged skips them (the key
# is in $LENS_HOME/demo-setup.key). Native thread pools are capped to the free cores by `lens`
# itself (LENS_THREADS), so a busy machine is not oversubscribed.
set -euo pipefail
lens=.venv/bin/lens
python=.venv/bin/python
# The store every `lens` command uses (LENS_HOME, .env, or the checkout's .lens/): the demo fills
# the one the README's commands then read.
if [ -z "${LENS_HOME:-}" ]; then
  LENS_HOME=$($python -c 'from prevention_lens.settings import get_settings; print(get_settings().home)')
fi
export LENS_HOME
mkdir -p "$LENS_HOME"
log="$LENS_HOME/demo-setup.log"
key_file="$LENS_HOME/demo-setup.key"
sources="${LENS_SOURCES:-../shared/data}"

started=$(date +%s)
# One line per step with its duration; the command's own progress (a bar in a terminal) between.
step() {
  local name="$1" t0 status=0
  shift
  t0=$(date +%s)
  echo "[$(date +%H:%M:%S)] $name…"
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "[$(date +%H:%M:%S)] $name: failed (exit $status) after $(($(date +%s) - t0)) s"
    return "$status"
  fi
  echo "[$(date +%H:%M:%S)] $name: done in $(($(date +%s) - t0)) s"
}

step "Creating or migrating the store in $LENS_HOME" $lens db upgrade
have_sources=""
if [ -n "${LENS_SOURCES:-}" ] || [ -d ../shared/data ]; then
  have_sources=1
  step "Importing the EWP country names" $lens data import country-names
  step "Importing the UN Framework of Analysis" $lens data import un-framework
else
  echo "No LENS_SOURCES and no ../shared/data: serving without the real data imports." >&2
fi
# The generated example actor mapping (labelled as example everywhere) and a snapshot of its
# network metrics; re-running changes nothing.
step "Loading the example actor mapping" $lens actors example
step "Taking a snapshot of its network metrics" $lens actors snapshot --dataset example

if [ "$($lens users list --json | $python -c 'import json,sys; print(len(json.load(sys.stdin)))')" = "0" ]; then
  password="${LENS_DEMO_PASSWORD:-$($python -c 'import secrets; print(secrets.token_urlsafe(12))')}"
  printf '%s\n' "$password" | $lens users add admin --role admin --password-stdin
  printf '%s\n' "$password" > "$LENS_HOME/demo-admin-password"
  chmod 600 "$LENS_HOME/demo-admin-password"
  echo "Demo admin: user 'admin', password '$password' (kept in $LENS_HOME/demo-admin-password)."
fi

url=$($python -c 'from prevention_lens.settings import get_settings as g; s = g(); print(f"http://{s.host}:{s.port}")')

# What the long steps depend on: the code (commit and uncommitted changes) and the data files.
setup_key() {
  {
    $lens --version
    git rev-parse HEAD 2>/dev/null || true
    git diff HEAD -- src 2>/dev/null | sha256sum
    find "$sources/ewp-2025" "$sources/ucdp/ged" -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum
  } | sha256sum | cut -c1-32
}

# The long steps, run by the background job once the server answers.
long_steps() {
  local t0
  t0=$(date +%s)
  echo "[$(date +%H:%M:%S)] Waiting for the server at $url, then loading the long steps."
  until $python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=2)' "$url" 2>/dev/null; do
    sleep 0.5
    if [ $(($(date +%s) - t0)) -gt 300 ]; then
      echo "The server did not answer $url/healthz within 5 minutes; the long steps did not run."
      return 1
    fi
  done
  local key
  key=$(setup_key)
  if [ -f "$key_file" ] && [ "$(cat "$key_file")" = "$key" ]; then
    echo "[$(date +%H:%M:%S)] Data and code unchanged since the last complete setup (key $key): nothing to redo."
    return 0
  fi
  rm -f "$key_file"
  local failed=""
  # The example speech feed (HateCheck test cases spread over weeks, labelled as example
  # everywhere), scored by the shipped classifier, so /speech shows trends and a surge alert.
  step "Scoring the example speech feed" $lens speech example || failed=1
  # UCDP GED events as incident records (re-running changes nothing).
  for ged in "$sources"/ucdp/ged/*.csv; do
    step "Importing UCDP GED events from $(basename "$ged")" \
      $lens incidents import ucdp-ged "$ged" || failed=1
  done
  if step "Forecasting mass-killing risk" $lens risk forecast --draws 20 --top 10; then
    # The default model's backtest beside EWP's published one, for /risk/backtest.
    step "Backtesting the default model" \
      $lens risk backtest --model ensemble --bootstrap 200 --store || failed=1
  else
    echo "Forecasting failed; the risk pages show no forecasts."
    failed=1
  fi
  if [ -n "$failed" ]; then
    echo "[$(date +%H:%M:%S)] Demo setup finished with errors (above); the next \`make demo\` tries again."
    return 1
  fi
  printf '%s\n' "$key" > "$key_file"
  echo "[$(date +%H:%M:%S)] Demo data ready: everything loaded in $(($(date +%s) - t0)) s."
}

background=""
if [ -n "$have_sources" ]; then
  : > "$log"
  # Its own session (setsid), so that stopping the demo stops the whole job, lens commands
  # included, and nothing keeps writing to the store after the server has gone.
  export -f step setup_key long_steps
  export lens python url sources key_file
  setsid bash -c long_steps >> "$log" 2>&1 < /dev/null &
  background=$!
  printf '%s\n' "$background" > "$LENS_HOME/demo-setup.pid"
  stop_background() {
    kill -TERM -- "-$background" 2>/dev/null || true
    rm -f "$LENS_HOME/demo-setup.pid"
  }
  trap stop_background EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

echo "[$(date +%H:%M:%S)] Serving $url after $(($(date +%s) - started)) s (Ctrl-C stops it)."
if [ -n "$background" ]; then
  echo "The UCDP incidents, the forecast and the backtest load in the background: the pages fill in"
  echo "as each finishes (a few minutes). Progress: tail -f $log"
fi
# Not exec: the shell stays to stop the background job when the server stops.
$lens serve
