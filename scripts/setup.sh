#!/usr/bin/env bash
# Installs the Debian packages that Rectify's build, demo and tests need.
#
#   scripts/setup.sh build   what `make build` and `make demo` need
#   scripts/setup.sh test    build, plus PostgreSQL, an SMTP server and the rest of the tests' needs
#   scripts/setup.sh bench   test, plus what the benchmarks run
#
# Idempotent and quiet: when every package is present it prints nothing and takes a fraction of a
# second. It runs `apt-get update` only when something is missing. Run as root, or with sudo on
# PATH.
set -euo pipefail

profile=${1:-build}

build_packages=(
  g++ cmake make pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libsqlite3-dev libpq-dev
  libyaml-cpp-dev libhowardhinnant-date-dev tzdata
  libcli11-dev libsodium-dev libssl-dev libcurl4-openssl-dev libicu-dev libxlsxwriter-dev
  libqrencode-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
  libminizip-dev libexpat1-dev
)
test_packages=(
  libgtest-dev libgmock-dev googletest
  postgresql postgresql-contrib
  python3 python3-aiosmtpd python3-icalendar python3-yaml python3-jsonschema
  clang libclang-rt-14-dev openssl
  clang-tidy-14
  chromium fonts-wqy-microhei
  zbar-tools poppler-utils
)
bench_packages=(
  libbenchmark-dev wrk
)
# The web pages are built with Node.js and npm (make build): Debian's when none is on the machine
# (a NodeSource build ships npm inside nodejs).
if ! command -v npm >/dev/null; then
  build_packages+=(nodejs npm)
fi
# The peer job queues of the timer benchmark come from npm; Node.js itself may come from Debian
# (nodejs, npm) or be on the machine already (a NodeSource build ships npm inside nodejs).
if [ "$profile" = bench ] && ! command -v npm >/dev/null; then
  bench_packages+=(nodejs npm)
fi

case "$profile" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
  bench) wanted=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
  *) echo "setup.sh: unknown profile '$profile'; use build, test or bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root to install: ${missing[*]}" >&2; exit 3; }
  sudo=(sudo)
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup.sh: done"
