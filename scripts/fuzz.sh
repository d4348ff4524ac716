#!/bin/sh
# Builds a libFuzzer target with clang in build-fuzz/ and runs it for SECONDS over its seed corpus.
# New inputs it finds go to build-fuzz/fuzz-corpus-TARGET/; a crash leaves a crash-* file in
# build-fuzz/ and makes this script fail (copy the input into the seed corpus once fixed, so the
# regression test keeps it fixed).
#
#   scripts/fuzz.sh [SECONDS] [TARGET]
#
# TARGET is
#   request     (default; 60 s) the HTTP server's request parsing and routing and the API's body
#               decoding, with ASan and UBSan; seeds in tests/fuzz/corpus/request/, which
#               `make test` also replays (ctest -R request_fuzz_corpus)
#   definition  the definition loader; seeds: every file of the shipped library and every broken
#               definition of the tests
set -eu
seconds=${1:-60}
target=${2:-request}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
jobs=${JOBS:-2}

case "$target" in
request | definition) ;;
*)
  echo "scripts/fuzz.sh: unknown target '$target' (request or definition)" >&2
  exit 2
  ;;
esac

mkdir -p "$build"
if ! CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRECTIFY_BUILD_TESTS=ON -DRECTIFY_BUILD_FUZZ=ON >"$build/configure.log" 2>&1; then
  cat "$build/configure.log"
  exit 1
fi
cmake --build "$build" -j "$jobs" --target "${target}_fuzz"

corpus="$build/fuzz-corpus-$target"
mkdir -p "$corpus"
cd "$build"
if [ "$target" = request ]; then
  exec "$build/tests/fuzz/request_fuzz" -max_total_time="$seconds" -max_len=32768 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" "$root/tests/fuzz/corpus/request"
fi

seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
n=0
for f in $(find "$root/workflows" "$root/tests/definition/broken" -name '*.yaml' | sort); do
  n=$((n + 1))
  cp "$f" "$seeds/seed-$n.yaml"
done
exec "$build/tests/fuzz/definition_fuzz" -max_total_time="$seconds" -max_len=65536 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" "$seeds"
