#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) on the C++ sources changed against a base commit:
# committed on this branch since it left the base, staged, or only in the working tree.
#
#   scripts/tidy.sh [BUILD_DIR] [BASE]     BUILD_DIR defaults to build, BASE to origin/main
#                                          (main when there is no origin)
#
# BASE is a commit or a branch; `all` for every source the build compiles (the whole tree); `ci`
# for the commit named in .ci/tidy-base, the last landing on main, which is what CI (.ci/run)
# checks: what changed since then. The lead moves that file forward at each landing
# (docs/operations.md, "clang-tidy").
# When the base is not in this clone (a shallow clone without that commit, or without origin/main
# and main) or shares no history with HEAD, there is no telling what changed: every source is
# checked rather than none. A base that is not a commit hash and is not here is a usage error.
#
# A changed header is checked through the changed sources that include it: the diagnostics shown
# are those in the changed files only (in the whole tree's, for `all`). Sources not in BUILD_DIR's
# compile_commands.json (the fuzz targets without clang) are listed and skipped. Exits 0 when
# clean or when nothing changed, 1 when clang-tidy reports anything, 2 on a usage error.
# JOBS sets the parallelism (nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
base=${2:-}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[ -n "$tidy" ] || { echo "tidy.sh: clang-tidy-14 is missing; run scripts/setup.sh test" >&2; exit 2; }
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "tidy.sh: no $db; configure first (make configure)" >&2; exit 2; }

whole=false
if [ "$base" = ci ]; then
  base=$(grep -v -m1 -E '^[[:space:]]*(#|$)' .ci/tidy-base 2>/dev/null | tr -d '[:space:]') || true
  [ -n "$base" ] || { echo "tidy.sh: .ci/tidy-base names no commit" >&2; exit 2; }
  echo "tidy.sh: the base in .ci/tidy-base: $base"
fi
if [ "$base" = all ]; then
  whole=true
elif [ -z "$base" ]; then
  for candidate in origin/main main; do
    if git rev-parse -q --verify "$candidate^{commit}" >/dev/null; then base=$candidate; break; fi
  done
  [ -n "$base" ] || { echo "tidy.sh: neither origin/main nor main is here; checking every source"; whole=true; }
elif ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  if [[ "$base" =~ ^[0-9a-fA-F]{7,40}$ ]]; then
    echo "tidy.sh: base $base is not in this clone (shallow?); checking every source"
    whole=true
  else
    echo "tidy.sh: unknown base '$base'; name a commit or branch, or all" >&2
    exit 2
  fi
fi
if ! $whole && ! from=$(git merge-base "$base" HEAD); then
  echo "tidy.sh: $base and HEAD share no history here (a shallow clone?); checking every source"
  whole=true
fi

if $whole; then
  mapfile -t changed < <(git ls-files '*.cc' '*.h' | grep -Ev '^(build|third_party)/')
else
  mapfile -t changed < <({ git diff --name-only --diff-filter=d "$from"; git ls-files --others --exclude-standard; } |
    grep -E '\.(cc|h)$' | grep -Ev '^(build|third_party)/' | sort -u)
fi
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
# Diagnostics only in the changed files (headers included); the whole tree: any file of ours.
if $whole; then
  filter='(engine|adapters|tests|bench|cmake)/.*'
else
  filter=$(printf '%s\n' "${changed[@]}" | sed 's/[.[\*^$()+?{|]/\\&/g' | paste -sd'|')
fi
if [ ${#sources[@]} -eq 0 ]; then
  echo "tidy.sh: no changed source to analyse against $base (${#changed[@]} changed headers alone)"
  exit 0
fi
if $whole; then
  echo "tidy.sh: ${#sources[@]} sources, the whole tree"
else
  echo "tidy.sh: ${#sources[@]} changed sources against $base ($(git rev-parse --short "$from"))"
fi
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
