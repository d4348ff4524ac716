#!/bin/sh
# Builds the definition loader's libFuzzer target with clang in build-fuzz/ and runs it for
# SECONDS (default 30) over a seed corpus: every file of the shipped library and every broken
# definition of the tests. New inputs it finds go to build-fuzz/fuzz-corpus/; a crash leaves
# a crash-* file in build-fuzz/ and makes this script fail.
#
#   scripts/fuzz.sh 30
set -eu
seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
jobs=${JOBS:-2}

mkdir -p "$build"
if ! CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRECTIFY_BUILD_TESTS=ON -DRECTIFY_BUILD_FUZZ=ON >"$build/configure.log" 2>&1; then
  cat "$build/configure.log"
  exit 1
fi
cmake --build "$build" -j "$jobs" --target definition_fuzz

seeds="$build/fuzz-seeds"
corpus="$build/fuzz-corpus"
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus"
n=0
for f in $(find "$root/workflows" "$root/tests/definition/broken" -name '*.yaml' | sort); do
  n=$((n + 1))
  cp "$f" "$seeds/seed-$n.yaml"
done

cd "$build"
exec "$build/tests/fuzz/definition_fuzz" -max_total_time="$seconds" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" "$seeds"
