#!/usr/bin/env bash
# The project's test command: ./test.sh [--filter EXPRESSION]
#
# Installs the Debian packages the tests need, builds the solution (Release) outside the network namespace
# (restore needs the package registry), checks the format and code style that .editorconfig sets (dotnet format
# --verify-no-changes), then runs each test project in turn inside tools/loopback-run, a network namespace with
# loopback only (on a host that forbids namespaces it warns and runs them on the host). Ends with one line
# "N passed, N failed, N skipped" summed over all projects (a format check that fails counts as one failure), and
# exits non-zero if anything failed or any project did not run to the end.
#
# --filter is passed to every `dotnet test` (e.g. --filter "FullyQualifiedName~Coturn").
# Environment: LOOPBACK_RUN replaces tools/loopback-run; LOOPBACK_RUN_REQUIRE=1 fails instead of running on the host.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$repo"

filter=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --filter) [ "$#" -ge 2 ] || { echo "test.sh: --filter needs a value" >&2; exit 2; }; filter="$2"; shift 2 ;;
    --filter=*) filter="${1#--filter=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (usage: ./test.sh [--filter EXPRESSION])" >&2; exit 2 ;;
  esac
done

# Debian packages the tests run: coturn (turnserver, turnutils_uclient, turnutils_stunclient), chromium, firefox-esr,
# afl++ (afl-fuzz), python3-aiortc (a WebRTC data channel client that is not a browser), ffmpeg (ffprobe and ffmpeg read
# and decode recordings), prometheus (promtool parses /metrics and the Grafana dashboard's queries).
DEBIAN_PACKAGES="coturn chromium firefox-esr afl++ python3-aiortc ffmpeg prometheus"

missing=()
for package in $DEBIAN_PACKAGES; do
  dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

loopback_run="${LOOPBACK_RUN:-$repo/tools/loopback-run}"
if [ ! -x "$loopback_run" ]; then
  echo "test.sh: $loopback_run is missing (or not executable): the tests run inside it, in a loopback-only" \
       "network namespace." >&2
  exit 2
fi
if [ -z "${LOOPBACK_RUN:-}" ]; then
  if ! "$repo/tools/loopback-run-test"; then
    echo "test.sh: tools/loopback-run does not behave as it should on this host (see above)" >&2
    exit 2
  fi
  # A host that allows no namespace: loopback-run says why once here (or, with LOOPBACK_RUN_REQUIRE=1, stops the run),
  # and the test projects then run on the host without repeating it.
  if ! LOOPBACK_RUN_REQUIRE=1 "$loopback_run" true 2>/dev/null; then
    "$loopback_run" true
    export LOOPBACK_RUN_INSIDE=1 LOOPBACK_RUN_ISOLATED=0
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build Switchboard.slnx -c Release

# Format and code style as .editorconfig sets them: whitespace, then the style rules at warning and above (the
# analyzers' rules already ran in the build). Both read the build's restore (--no-restore). A failure does not stop
# the tests; it counts as one failure in the last line.
format_failed=0
echo
echo "=== dotnet format --verify-no-changes"
if ! dotnet format whitespace Switchboard.slnx --verify-no-changes --no-restore ||
   ! dotnet format style Switchboard.slnx --verify-no-changes --no-restore --severity warn; then
  format_failed=1
  echo "test.sh: the files above are not formatted as .editorconfig says: run 'dotnet format Switchboard.slnx'," \
       "review the changes and commit them." >&2
fi

# Fuzzing (docs/fuzzing.md), outside the namespace (no network used): every input of fuzz/corpus through its target in
# process, then each target under afl-fuzz (Debian package afl++) for SWITCHBOARD_FUZZ_SECONDS seconds (default 20; 0
# skips afl-fuzz). Each target's replay and each target's afl-fuzz run count as one test. Left out with --filter.
fuzz_passed=0 fuzz_failed=0 fuzz_skipped=0
run_fuzz() {
  local fuzzer=fuzz/Switchboard.Fuzz/bin/Release/net10.0/Switchboard.Fuzz.dll seconds="${SWITCHBOARD_FUZZ_SECONDS:-20}" log=fuzz/out/test.sh.log
  local targets status
  targets=$(dotnet "$fuzzer" list | wc -l)
  mkdir -p fuzz/out
  echo
  echo "=== fuzz replay (fuzz/corpus)"
  set +e
  dotnet "$fuzzer" all --replay fuzz/corpus | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  fuzz_passed=$(grep -c '^fuzz replay: [a-z0-9-]*: ok' "$log" || true)
  fuzz_failed=$(( targets - fuzz_passed ))
  if [ "$status" -ne 0 ]; then
    echo "test.sh: an input of fuzz/corpus crashes its parser (the input and the exception are above)"
    [ "$fuzz_failed" -gt 0 ] || fuzz_failed=1
  fi
  if [ "$seconds" = 0 ] || ! command -v afl-fuzz >/dev/null; then
    echo "test.sh: afl-fuzz skipped ($([ "$seconds" = 0 ] && echo SWITCHBOARD_FUZZ_SECONDS=0 || echo 'afl-fuzz is not installed'))"
    fuzz_skipped=$targets
    return
  fi
  echo
  echo "=== fuzz (afl-fuzz, $seconds s per target)"
  set +e
  ./fuzz/run.sh --no-build all "$seconds" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  local clean
  clean=$(grep -c '^fuzz/run.sh: [a-z0-9-]*: clean$' "$log" || true)
  fuzz_passed=$(( fuzz_passed + clean )) fuzz_failed=$(( fuzz_failed + targets - clean ))
  if [ "$status" -ne 0 ]; then
    echo "test.sh: afl-fuzz found a crash or hang, or could not run (fuzz/run.sh exit code $status; inputs named above)"
    [ "$clean" -lt "$targets" ] || fuzz_failed=$(( fuzz_failed + 1 ))
  fi
}
[ -n "$filter" ] || run_fuzz

# Unit test projects first, the slow end-to-end project last.
projects=()
late=()
for project in tests/*/*.csproj; do
  case "$project" in
    *EndToEnd*) late+=("$project") ;;
    *) projects+=("$project") ;;
  esac
done
projects+=("${late[@]}")
if [ "${#projects[@]}" -eq 0 ]; then
  echo "test.sh: no test project under tests/" >&2
  exit 2
fi

results="$repo/TestResults/test.sh"
rm -rf "$results"
mkdir -p "$results"

counter() { # counter NAME TRX-FILE: the value of one attribute of <Counters .../>
  grep -o "<Counters [^>]*>" "$2" | head -n 1 | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0
}

passed=0 failed=0 skipped=0 broken=() failed_tests=()
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  echo
  echo "=== $name"
  args=(test "$project" --no-build -c Release
        --logger "trx;LogFileName=$name.trx" --results-directory "$results"
        --blame-hang-timeout 15m --blame-hang-dump-type none)
  [ -z "$filter" ] || args+=(--filter "$filter")
  set +e
  "$loopback_run" dotnet "${args[@]}"
  status=$?
  set -e

  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    if [ "$status" -ne 0 ]; then
      broken+=("$name (exit code $status, no test results)")
    fi
    continue
  fi
  total=$(counter total "$trx")
  executed=$(counter executed "$trx")
  p=$(counter passed "$trx")
  f=$(( $(counter failed "$trx") + $(counter error "$trx") + $(counter timeout "$trx") + $(counter aborted "$trx") ))
  s=$(( total - executed ))
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    broken+=("$name (exit code $status with no failed test: the test run itself broke)")
  fi
  while IFS= read -r test; do failed_tests+=("$test"); done < <(
    grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"' "$trx" | grep -o 'testName="[^"]*"' | sed 's/^testName="//; s/"$//' || true)
done

echo
for test in "${failed_tests[@]+"${failed_tests[@]}"}"; do
  echo "test.sh: failed: $test"
done
for problem in "${broken[@]+"${broken[@]}"}"; do
  echo "test.sh: did not run to the end: $problem"
done
failed=$((failed + ${#broken[@]}))
if [ "$format_failed" -ne 0 ]; then
  echo "test.sh: format check failed: run 'dotnet format Switchboard.slnx' (see the '=== dotnet format' section above)"
  failed=$((failed + 1))
fi

passed=$((passed + fuzz_passed)) failed=$((failed + fuzz_failed)) skipped=$((skipped + fuzz_skipped))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
