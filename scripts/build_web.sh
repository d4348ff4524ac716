#!/usr/bin/env bash
# Builds the web pages (web/, Vite) into BUILD/web, where `rectify serve` finds them beside the
# binary (docs/web.md).
#
#   scripts/build_web.sh BUILD
#
# Does only what changed: `npm ci` when web/package-lock.json differs from the one last installed
# (a stamp in BUILD), the Vite build when a file under web/ (node_modules aside) is newer than the
# last build's stamp or the output is missing. Needs Node.js 18 or later and npm
# (scripts/setup.sh build installs Debian's when none is present).
set -euo pipefail

build=${1:?usage: scripts/build_web.sh BUILD}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build"
build=$(cd "$build" && pwd)
web=$root/web

command -v npm >/dev/null || {
  echo "build_web: npm not found; run scripts/setup.sh build (it installs nodejs and npm)" >&2
  exit 3
}

lock_stamp=$build/web-npm.stamp
lock_sum=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [ ! -d "$web/node_modules" ] || [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_sum" ]; then
  echo "build_web: npm ci"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$lock_stamp"
  rm -f "$build/web-build.stamp"
fi

build_stamp=$build/web-build.stamp
changed=
if [ ! -f "$build_stamp" ] || [ ! -f "$build/web/index.html" ]; then
  changed=yes
elif [ -n "$(find "$web" -path "$web/node_modules" -prune -o -type f -newer "$build_stamp" -print -quit)" ]; then
  changed=yes
fi
if [ -n "$changed" ]; then
  echo "build_web: vite build -> $build/web"
  touch "$build_stamp.new"
  (cd "$web" && RECTIFY_WEB_OUT="$build/web" npx --no-install vite build --logLevel warn)
  mv "$build_stamp.new" "$build_stamp"
fi
