#!/usr/bin/env bash
# The demo: Xinshao county's 2017 campaign (workflows/campaigns/xinshao-2017.yaml) with the sample
# ledger (workflows/ledgers/xinshao-2017-sample.csv), on a fresh SQLite database under var/,
# run by `rectify serve` on an accelerated clock: a day a second from 2017-04-21 (the mobilisation
# meeting) to 2017-07-31, about a hundred seconds. Scripted cadres (the behaviour of
# `rectify simulate`) register the problems, rectify, submit, verify and reopen; the engine sends
# the reminders, climbs the escalation ladder, runs the materials checkpoint, the June look back and
# the monthly rankings, and prints each as it happens. It ends with a summary.
#
#   scripts/demo.sh [path/to/rectify]      DEMO_SPEED=172800 for twice as fast
set -euo pipefail
rectify=${1:-build/rectify}
cd "$(dirname "$0")/.."
mkdir -p var
db=var/demo.db
rm -f "$db" "$db-wal" "$db-shm"
export RECTIFY_DB="sqlite:$db"
"$rectify" migrate >/dev/null
# serve's first line says what runs: the campaign, the pace, the window.
exec "$rectify" serve --campaign xinshao-2017 \
  --items workflows/ledgers/xinshao-2017-sample.csv \
  --speed "${DEMO_SPEED:-86400}" --from 2017-04-21 --until 2017-07-31 --seed 7
