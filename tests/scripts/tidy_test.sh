#!/usr/bin/env bash
# scripts/tidy.sh's rule, on a throw-away repository with one clean and one bad source (a
# `0` for a null pointer: modernize-use-nullptr) and its own compile_commands.json: a finding in
# a file changed since the base fails (exit 1) with the file, line and check; a file not changed
# since the base is not checked; a NOLINT with its reason is accepted; `ci` reads .ci/tidy-base;
# a base that is not in the clone (shallow) checks every source rather than none; a misspelt base
# is a usage error (exit 2). Needs git and clang-tidy-14 (scripts/setup.sh test), as `make tidy`.
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE PATTERN ARGS...: runs tidy.sh ARGS in the repository; checks its exit code and that
# its output matches PATTERN (grep -E).
expect() {
  local code=$1 pattern=$2 out rc
  shift 2
  out=$(cd "$work/repo" && JOBS=2 scripts/tidy.sh build "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$code" ]; then fail "tidy.sh $* exited $rc, not $code:"$'\n'"$out"; return; fi
  grep -qE -- "$pattern" <<<"$out" || fail "tidy.sh $* did not print /$pattern/:"$'\n'"$out"
  echo "ok: tidy.sh $* -> $rc"
}

mkdir -p "$work/repo/scripts" "$work/repo/engine/src" "$work/repo/build" "$work/repo/.ci"
cd "$work/repo" || exit 1
cp "$source_dir/scripts/tidy.sh" scripts/
cp "$source_dir/.clang-tidy" .
git init -q -b main . && git config user.email t@example.org && git config user.name test
printf 'int* Clean() { return nullptr; }\n' >engine/src/clean.cc
printf 'int* Old() { return nullptr; }\n' >engine/src/old.cc
python3 - "$work/repo" >build/compile_commands.json <<'PY'
import json, sys
d = sys.argv[1]
print(json.dumps([{"directory": d, "file": f"engine/src/{n}.cc",
                   "command": f"c++ -std=c++20 -c engine/src/{n}.cc -o /dev/null"}
                  for n in ("clean", "old", "bad")]))
PY
printf '/build/\n' >.gitignore
git add . && git commit -qm base
base=$(git rev-parse HEAD)

expect 0 'no C\+\+ file changed' "$base"
# A finding in a file not changed since the base is not CI's concern.
printf 'int* Old() { return 0; }\n' >engine/src/old.cc
git commit -qam "old, before the landing"
landing=$(git rev-parse HEAD)
expect 0 'no C\+\+ file changed' "$landing"

# The bad file, only in the working tree, then committed.
printf 'int* Bad() {\n  return 0;\n}\n' >engine/src/bad.cc
expect 1 'engine/src/bad\.cc:2:10: .*\[modernize-use-nullptr' "$landing"
git add engine/src/bad.cc && git commit -qm bad
expect 1 'engine/src/bad\.cc:2:10: .*\[modernize-use-nullptr' "$landing"
expect 0 'no C\+\+ file changed' HEAD

# CI's base, read from .ci/tidy-base (comments first, as the real file has them).
printf '# the last landing\n%s\n' "$landing" >.ci/tidy-base
expect 1 "the base in \.ci/tidy-base: $landing" ci
expect 1 'engine/src/bad\.cc:2:10: .*\[modernize-use-nullptr' ci
printf '# the last landing\n%s\n' "$(git rev-parse HEAD)" >.ci/tidy-base
expect 0 'no C\+\+ file changed' ci

# A base the clone does not have: every source, so the old finding counts as well.
expect 1 'not in this clone.*checking every source' 0123456789abcdef0123456789abcdef01234567
expect 1 'engine/src/old\.cc:1:21: .*\[modernize-use-nullptr' 0123456789abcdef0123456789abcdef01234567
expect 1 'engine/src/bad\.cc:2:10: ' all
# A base with no history in common with HEAD (a shallow clone's cut): every source too.
git checkout -q --orphan elsewhere && git commit -qm elsewhere && git checkout -q main
expect 1 'share no history.*checking every source' elsewhere
# A misspelt branch is a usage error, not a silent pass.
expect 2 "unknown base 'mian'" mian

# A deliberate exception with its reason passes.
printf 'int* Bad() {\n  // The test says why.\n  return 0;  // NOLINT(modernize-use-nullptr)\n}\n' >engine/src/bad.cc
expect 0 'tidy.sh: clean' "$landing"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all passed"
