#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) on the C++ sources changed against a base commit:
# committed on this branch since it left the base, staged, or only in the working tree.
#
#   scripts/tidy.sh [BUILD_DIR] [BASE]     BUILD_DIR defaults to build, BASE to origin/main
#                                          (main when there is no origin)
#
# A changed header is checked through the changed sources that include it: the diagnostics shown
# are those in the changed files only. Sources not in BUILD_DIR's compile_commands.json (the fuzz
# targets without clang) are listed and skipped. Nothing changed (or no base to compare with in a
# shallow clone): nothing to do, exit 0. Exits 1
# when clang-tidy reports anything, 2 on a usage error. JOBS sets the parallelism (nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
base=${2:-}
if [ -z "$base" ]; then
  for candidate in origin/main main; do
    if git rev-parse -q --verify "$candidate^{commit}" >/dev/null; then base=$candidate; break; fi
  done
  # A clone without main to compare with (a shallow CI checkout of one branch) has nothing to
  # call changed; say so rather than fail.
  [ -n "$base" ] || { echo "tidy.sh: neither origin/main nor main is here; nothing to compare, nothing checked"; exit 0; }
fi
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tidy" ] || { echo "tidy.sh: clang-tidy-14 is missing; run scripts/setup.sh test" >&2; exit 2; }
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "tidy.sh: no $db; configure first (make configure)" >&2; exit 2; }
git rev-parse -q --verify "$base^{commit}" >/dev/null ||
  { echo "tidy.sh: unknown base '$base'; name a commit or branch" >&2; exit 2; }

from=$(git merge-base "$base" HEAD) ||
  { echo "tidy.sh: $base and HEAD share no history here (a shallow clone?); nothing checked"; exit 0; }
mapfile -t changed < <({ git diff --name-only --diff-filter=d "$from"; git ls-files --others --exclude-standard; } |
  grep -E '\.(cc|h)$' | grep -Ev '^(build|third_party)/' | sort -u)
if [ ${#changed[@]} -eq 0 ]; then
  echo "tidy.sh: no C++ file changed against $base"
  exit 0
fi

# The sources to analyse: the changed .cc files that the build compiles.
known=$(python3 - "$db" <<'PY'
import json, os, sys
for e in json.load(open(sys.argv[1])):
    print(os.path.relpath(os.path.join(e["directory"], e["file"])))
PY
)
sources=()
for f in "${changed[@]}"; do
  case "$f" in *.cc) ;; *) continue ;; esac
  if grep -qxF "$f" <<<"$known"; then sources+=("$f"); else echo "tidy.sh: skipped $f (not in $db)"; fi
done
# Diagnostics only in the changed files (headers included).
filter=$(printf '%s\n' "${changed[@]}" | sed 's/[.[\*^$()+?{|]/\\&/g' | paste -sd'|')
if [ ${#sources[@]} -eq 0 ]; then
  echo "tidy.sh: no changed source to analyse against $base (${#changed[@]} changed headers alone)"
  exit 0
fi
echo "tidy.sh: ${#sources[@]} changed sources against $base ($(git rev-parse --short "$from"))"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${sources[@]}" |
  xargs -P "${JOBS:-$(nproc)}" -I{} "$tidy" -p "$build" --quiet \
    --header-filter="^($PWD/)?($filter)\$" --extra-arg=-Wno-unknown-warning-option {} \
    >"$log" 2>&1 || status=$?
# clang-tidy prints "N warnings generated" for what it filtered out; keep only what matters.
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "tidy.sh: clang-tidy found problems in the files above (the checks are in .clang-tidy;" \
       "a deliberate exception takes a NOLINT(check) comment saying why)" >&2
  exit 1
fi
echo "tidy.sh: clean"
