#!/usr/bin/env bash
# Coverage-guided fuzzing with afl-fuzz (AFL++) and SharpFuzz: ./fuzz/run.sh [--no-build] [--resume] TARGET|all SECONDS
#
# Builds fuzz/Switchboard.Fuzz (Release; --no-build uses the build that is there), copies its output to
# fuzz/out/instrumented and instruments the parsers' assemblies there with the sharpfuzz tool (fuzz/dotnet-tools.json),
# then runs afl-fuzz on TARGET (or on every target, one after the other) for SECONDS each, starting from
# fuzz/corpus/TARGET. The AFL output goes to fuzz/out/afl/TARGET (gitignored); --resume continues a previous run's
# queue there instead of starting again from the corpus. Every crash afl-fuzz saves is replayed in process on the
# uninstrumented build to print its exception; a saved hang is replayed too and counts only if it also hangs there.
# Ends each target with "fuzz/run.sh: TARGET: clean" or "... FAILED"; exits 1 when a target crashed or hung, 2 when
# afl-fuzz could not run. `Switchboard.Fuzz list` names the targets.
# docs/fuzzing.md has the details, e.g. for runs of hours: ./fuzz/run.sh --resume sdp 14400
set -euo pipefail

fuzz="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$fuzz")"

build=1 resume=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --resume) resume=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
if [ "$#" -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: fuzz/run.sh [--no-build] [--resume] TARGET|all SECONDS" >&2
  exit 2
fi
target="$1" seconds="$2"

if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz/run.sh: afl-fuzz is not installed (Debian package afl++)" >&2
  exit 2
fi
dotnet="$(command -v dotnet)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

project="$fuzz/Switchboard.Fuzz"
build_output="$project/bin/Release/net10.0"
out="$fuzz/out"
instrumented="$out/instrumented"

if [ "$build" = 1 ]; then
  "$dotnet" build "$project" -c Release --nologo -v quiet
fi
if [ ! -f "$build_output/Switchboard.Fuzz.dll" ]; then
  echo "fuzz/run.sh: $build_output/Switchboard.Fuzz.dll is missing: build first (or leave out --no-build)" >&2
  exit 2
fi

targets=()
while read -r name _; do targets+=("$name"); done < <("$dotnet" "$build_output/Switchboard.Fuzz.dll" list)
if [ "$target" = all ]; then
  selected=("${targets[@]}")
elif printf '%s\n' "${targets[@]}" | grep -qx -- "$target"; then
  selected=("$target")
else
  echo "fuzz/run.sh: unknown target '$target' (targets: ${targets[*]})" >&2
  exit 2
fi

# Instrument copies, never the build output the tests and the replay use. Only the parsers' code is instrumented, so
# the coverage map holds what the fuzzer should explore.
rm -rf "$instrumented"
mkdir -p "$out"
cp -a "$build_output" "$instrumented"
(cd "$fuzz" && "$dotnet" tool restore >/dev/null)
instrument() { # instrument ASSEMBLY [TYPE-PREFIX...]
  (cd "$fuzz" && "$dotnet" tool run sharpfuzz "$instrumented/$1" "${@:2}" >/dev/null) || {
    echo "fuzz/run.sh: sharpfuzz could not instrument $1" >&2
    exit 2
  }
}
instrument Switchboard.Protocols.dll
instrument Switchboard.Turn.dll Switchboard.Turn.Transports.StreamFraming Switchboard.Turn.Configuration
instrument Switchboard.Signaling.dll Switchboard.Signaling.Protocol Switchboard.Signaling.Tokens
instrument Switchboard.Media.dll Switchboard.Media.Sfu.Data.DataFrame
instrument switchboard.dll Switchboard.Server.Configuration.Coturn

# This machine kind: no CPU frequency control, core dumps piped elsewhere, cores shared with other work; the target is
# `dotnet`, which carries no AFL instrumentation of its own (SharpFuzz's fork server answers instead).
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000

status=0
for name in "${selected[@]}"; do
  findings="$out/afl/$name"
  args=(-o "$findings" -V "$seconds" -t 5000 -m none)
  if [ "$resume" = 1 ] && [ -d "$findings/default/queue" ]; then
    args+=(-i -)
  else
    rm -rf "$findings"
    args+=(-i "$fuzz/corpus/$name")
  fi
  [ ! -f "$fuzz/dictionaries/$name.dict" ] || args+=(-x "$fuzz/dictionaries/$name.dict")
  mkdir -p "$out/afl"
  log="$out/afl/$name.log"
  set +e
  afl-fuzz "${args[@]}" -- "$dotnet" "$instrumented/Switchboard.Fuzz.dll" "$name" >"$log" 2>&1
  code=$?
  set -e
  stats="$findings/default/fuzzer_stats"
  if [ "$code" -ne 0 ] || [ ! -f "$stats" ]; then
    echo "fuzz/run.sh: $name: afl-fuzz stopped with exit code $code; the end of $log:" >&2
    tail -n 20 "$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2
    echo "fuzz/run.sh: $name: FAILED (afl-fuzz did not run)"
    status=2
    continue
  fi
  stat() { grep "^$1 " "$stats" | sed 's/.*: //'; }
  echo "fuzz/run.sh: $name: $(stat execs_done) executions in $(stat run_time) s ($(stat execs_per_sec)/s)," \
       "$(stat corpus_count) inputs in the queue, $(stat edges_found) edges, $(stat saved_crashes) crashes, $(stat saved_hangs) hangs"

  shopt -s nullglob
  crashes=("$findings"/default/crashes/id:*)
  hangs=("$findings"/default/hangs/id:*)
  shopt -u nullglob
  failed=0
  for crash in "${crashes[@]}"; do
    echo "fuzz/run.sh: $name: CRASH: $crash"
    "$dotnet" "$build_output/Switchboard.Fuzz.dll" "$name" --replay "$crash" | grep -v '^fuzz replay: [0-9]* of' || true
    failed=1
  done
  for hang in "${hangs[@]}"; do
    if "$dotnet" "$build_output/Switchboard.Fuzz.dll" "$name" --replay "$hang" >/dev/null; then
      echo "fuzz/run.sh: $name: slow under afl-fuzz only (returns in process): $hang"
    else
      echo "fuzz/run.sh: $name: HANG (or crash) in process too: $hang"
      "$dotnet" "$build_output/Switchboard.Fuzz.dll" "$name" --replay "$hang" | grep -v '^fuzz replay: [0-9]* of' || true
      failed=1
    fi
  done
  if [ "$failed" = 0 ]; then
    echo "fuzz/run.sh: $name: clean"
  else
    echo "fuzz/run.sh: $name: FAILED (inputs above; add each to fuzz/corpus/$name once the parser is fixed)"
    [ "$status" = 2 ] || status=1
  fi
done
exit "$status"
