#!/usr/bin/env bash
# The demo on the embedded default: an SQLite database under var/, created or upgraded, then its
# status. Later work grows this into the campaign demo.
set -euo pipefail
rectify=${1:-build/rectify}
cd "$(dirname "$0")/.."
mkdir -p var
export RECTIFY_DB=${RECTIFY_DB:-sqlite:var/rectify.db}
"$rectify" migrate
"$rectify" status
