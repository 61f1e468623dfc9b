#!/usr/bin/env bash
# media-sfu.sh: Switchboard's SFU under load, on loopback inside loopback-run. For each scenario a fresh server starts
# (role all, anonymous joins) and Switchboard.MediaLoad --target sfu puts P synthetic publishers and S synthetic
# subscribers in one room over the native signaling (/ws): each publisher sends a microphone (50 packets/s of ~100
# bytes) and a camera (VP8 at VIDEO_KBPS in 1,200-byte packets, 30 frames/s, a keyframe every 2 s and on PLI/FIR,
# NACKs answered over RTX); each subscriber receives every track over real ICE, DTLS and SRTP and counts what arrives.
# Reported per scenario: packets forwarded to subscribers per second, the server's CPU seconds per million forwarded
# packets (utime + stime from /proc), raw loss at the subscribers (they send no NACKs), one-way added latency p50/p99
# (publisher send to subscriber receive, same clock), server memory, and how soon a new subscriber gets a keyframe.
#
#   bench/media-sfu.sh
#   SCENARIOS="meeting:10:10" DURATION=20 bench/media-sfu.sh
#
# Settings (environment): SCENARIOS, space-separated name:publishers:subscribers (default
# "meeting:10:10 broadcast:1:200"), DURATION measured seconds per scenario (default 10), WARMUP seconds after every
# subscriber is connected (default 6), VIDEO_KBPS per publisher (default 1000), RUNS per scenario (default 1),
# SB_ARGS extra server arguments, LOOPBACK_RUN (default: the repository's tools/loopback-run).
#
# Reference: LiveKit (the Go SFU) is not installable here (no Go toolchain or LiveKit package in Debian or npm), so there
# is no same-run comparison. The docs (docs/benchmarks.md, "SFU under load") set the result against LiveKit's published
# benchmark figures, which come to about 40,000-75,000 forwarded packets per second per vCPU; this script prints the
# forwarded packets per server core-second to read against them. The load tool shares the two cores with the server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCENARIOS=${SCENARIOS:-meeting:10:10 broadcast:1:200}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-6}
VIDEO_KBPS=${VIDEO_KBPS:-1000}
RUNS=${RUNS:-1}
SB_ARGS=${SB_ARGS:-}

if [ -z "${SFU_BENCH_INSIDE:-}" ]; then
  # Outside the namespace: build (restore needs the package registry).
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env SFU_BENCH_INSIDE=1 SCENARIOS="$SCENARIOS" DURATION="$DURATION" WARMUP="$WARMUP" \
    VIDEO_KBPS="$VIDEO_KBPS" RUNS="$RUNS" SB_ARGS="$SB_ARGS" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "$0"
fi

ulimit -n 65536 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
server_dll="$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll"
load="$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll"
http_port=18080

status=0
for _ in $(seq "$RUNS"); do
  for scenario in $SCENARIOS; do
    IFS=: read -r name publishers subscribers <<<"$scenario"
    # Room size, connections from the one load address and SFU limits wide enough for the scenario (defaults: 50
    # participants, 100 connections per address, 25 publishers, 100 subscriptions).
    # shellcheck disable=SC2086 # SB_ARGS is a list of arguments
    dotnet "$server_dll" all --Http:Urls=http://127.0.0.1:$http_port --Server:DataDirectory="$work/data" \
      --Turn:Enabled=false --Media:UdpPort=17882 --Media:TcpPort=17881 --Signaling:AllowAnonymous=true \
      --Signaling:MaxParticipantsPerRoom=$((publishers + subscribers + 10)) \
      --Signaling:MaxConnectionsPerAddress=$((publishers + subscribers + 10)) \
      --Media:Sfu:MaxPublishersPerRoom=$((publishers > 25 ? publishers : 25)) \
      --Media:Sfu:MaxSubscriptionsPerParticipant=$((2 * publishers > 100 ? 2 * publishers : 100)) \
      --Logging:LogLevel:Default=Warning $SB_ARGS > "$work/server-$name.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done
    if ! curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null; then
      echo "$name: Switchboard did not start:"; cat "$work/server-$name.log"; exit 1
    fi
    echo "== $name: $publishers publishers x $subscribers subscribers, ${DURATION} s measured"
    rc=0
    dotnet "$load" --target sfu --url "http://127.0.0.1:$http_port" --room "$name" --publishers "$publishers" \
      --subscribers "$subscribers" --duration "$DURATION" --warmup "$WARMUP" --video-kbps "$VIDEO_KBPS" \
      --server-pid "$server" > "$work/out-$name.txt" || rc=$?
    kill "$server"; wait "$server" 2>/dev/null || true
    cat "$work/out-$name.txt"
    head -n 1 "$work/out-$name.txt" | sed "s/^{/{\"scenario\":\"$name\",/" >> "$work/results.jsonl"
    if [ "$rc" -ne 0 ]; then
      status=1
      echo "$name: the load tool exited with $rc; server log (warnings and errors):"
      tail -n 40 "$work/server-$name.log"
    fi
  done
done

python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
def med(rs, key):
    v = [r[key] for r in rs if isinstance(r.get(key), (int, float))]
    return statistics.median(v) if v else float("nan")
print()
print(f"{'scenario':<11}{'pub x sub':>10}{'sent/s':>8}{'forwarded/s':>13}{'loss %':>8}{'p50 ms':>8}{'p99 ms':>8}"
      f"{'CPU s/1M':>10}{'cores':>7}{'fwd/core-s':>11}{'RSS MiB':>9}{'keyframe ms':>12}")
for name in dict.fromkeys(r["scenario"] for r in rows):
    rs = [r for r in rows if r["scenario"] == name]
    r0 = rs[0]
    key = statistics.median([r["firstKeyframeMs"]["max"] for r in rs if r["firstKeyframeMs"]["max"] is not None] or [float("nan")])
    print(f"{name:<11}{str(r0['publishersConnected'])+'x'+str(r0['subscribersConnected']):>10}{med(rs,'publishersSentPerSecond'):>8.0f}"
          f"{med(rs,'forwardedPerSecond'):>13.0f}{med(rs,'lossPercent'):>8.3f}{med(rs,'latencyP50Ms'):>8.2f}{med(rs,'latencyP99Ms'):>8.2f}"
          f"{med(rs,'serverCpuSecondsPerMillionForwarded'):>10.2f}{med(rs,'serverCoresUsed'):>7.2f}{med(rs,'forwardedPerServerCoreSecond'):>11.0f}"
          f"{med(rs,'serverRssMiB'):>9.1f}{key:>12.0f}")
print("(keyframe ms: the largest time from a subscriber's DTLS connection to its first keyframe of a camera; medians over RUNS)")
print("Reference: LiveKit's published benchmarks come to about 40,000-75,000 forwarded packets per second per vCPU (not measured here).")
PY
exit $status
