#!/usr/bin/env bash
# whep.sh: WHEP playback under load, on loopback inside loopback-run. For each viewer count N a fresh server starts
# (role all, anonymous joins) and Switchboard.MediaLoad --target whep puts one synthetic publisher in a room over the
# native signaling (/ws: a microphone of 50 packets/s and a VP8 camera at VIDEO_KBPS, 30 frames/s, a keyframe every 2 s
# and on PLI/FIR) and N synthetic WHEP viewers on it: each POSTs a recvonly offer (Opus and VP8) to /whep/{room},
# completes ICE and DTLS with the project's own client stack, and counts what arrives over SRTP.
# Reported per N: raw loss at the viewers (they send no NACKs), one-way added latency p50/p99 (publisher send to viewer
# receive, same clock), the server's CPU (utime + stime from /proc) in cores and per viewer, its memory, and the time
# from a viewer's POST to its first keyframe (p50/p95). The largest N with loss < 0.1 % and p99 < 50 ms is named.
#
#   bench/whep.sh
#   VIEWERS="100 200" DURATION=10 bench/whep.sh
#
# Settings (environment): VIEWERS, space-separated viewer counts (default "50 100 200 400"), DURATION measured seconds
# per count (default 5), WARMUP seconds after every viewer is connected (default 3), VIDEO_KBPS of the publisher
# (default 600, SRS's published figure's stream), SB_ARGS extra server arguments, LOOPBACK_RUN (default: the
# repository's tools/loopback-run).
#
# Reference (not measured here): SRS states ~2,000 WebRTC players of a ~600 kbit/s stream on one 2-vCPU VM
# (trunk/doc/PERFORMANCE.md). Here the load tool, whose SRTP decryption per viewer costs about what the server's
# encryption does, shares the machine's two cores with the server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VIEWERS=${VIEWERS:-50 100 200 400}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
VIDEO_KBPS=${VIDEO_KBPS:-600}
SB_ARGS=${SB_ARGS:-}

if [ -z "${WHEP_BENCH_INSIDE:-}" ]; then
  # Outside the namespace: build (restore needs the package registry).
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env WHEP_BENCH_INSIDE=1 VIEWERS="$VIEWERS" DURATION="$DURATION" WARMUP="$WARMUP" \
    VIDEO_KBPS="$VIDEO_KBPS" SB_ARGS="$SB_ARGS" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "$0"
fi

ulimit -n 65536 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
server_dll="$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll"
load="$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll"
http_port=18080

status=0
for viewers in $VIEWERS; do
  name="whep-$viewers"
  # The viewers are participants of the room (default: 50 per room).
  # shellcheck disable=SC2086 # SB_ARGS is a list of arguments
  dotnet "$server_dll" all --Http:Urls=http://127.0.0.1:$http_port --Server:DataDirectory="$work/data" \
    --Turn:Enabled=false --Media:UdpPort=17882 --Media:TcpPort=17881 --Signaling:AllowAnonymous=true \
    --Signaling:MaxParticipantsPerRoom=$((viewers + 10)) --Media:MaxPeers=$((viewers + 10 > 2000 ? viewers + 10 : 2000)) \
    --Logging:LogLevel:Default=Warning $SB_ARGS > "$work/server-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done
  if ! curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null; then
    echo "$name: Switchboard did not start:"; cat "$work/server-$name.log"; exit 1
  fi
  echo "== $name: 1 publisher x $viewers WHEP viewers, ${VIDEO_KBPS} kbit/s video, ${DURATION} s measured"
  rc=0
  dotnet "$load" --target whep --url "http://127.0.0.1:$http_port" --room live --viewers "$viewers" \
    --duration "$DURATION" --warmup "$WARMUP" --video-kbps "$VIDEO_KBPS" --server-pid "$server" > "$work/out-$name.txt" || rc=$?
  kill "$server"; wait "$server" 2>/dev/null || true
  tail -n 1 "$work/out-$name.txt"
  head -n 1 "$work/out-$name.txt" | grep '^{' >> "$work/results.jsonl" || true
  if [ "$rc" -ne 0 ]; then
    status=1
    cat "$work/out-$name.txt"
    echo "$name: the load tool exited with $rc; server log (warnings and errors):"
    tail -n 40 "$work/server-$name.log"
  fi
done

python3 - "$work/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
print()
print(f"{'viewers':>8}{'connected':>10}{'loss %':>8}{'p50 ms':>8}{'p99 ms':>8}{'cores':>7}{'CPU ms/s per viewer':>21}{'RSS MiB':>9}{'keyframe p50/p95 ms':>21}{'tool cores':>11}")
best = None
for r in rows:
    n = r["subscribersConnected"]
    k = r["firstKeyframeSinceOfferMs"]
    per_viewer = 1000 * r["serverCoresUsed"] / n if n else float("nan")
    tool = r["loadToolCpuSecondsPerMillionForwarded"] * r["forwardedPerSecond"] / 1e6
    ok = n == r["subscribers"] and r["lossPercent"] < 0.1 and r["latencyP99Ms"] < 50 and r["problems"] == 0
    if ok: best = max(best or 0, n)
    print(f"{r['subscribers']:>8}{n:>10}{r['lossPercent']:>8.3f}{r['latencyP50Ms']:>8.2f}{r['latencyP99Ms']:>8.2f}{r['serverCoresUsed']:>7.2f}"
          f"{per_viewer:>21.2f}{r['serverRssMiB']:>9.1f}{str(k['p50'])+' / '+str(k['p95']):>21}{tool:>11.2f}{'' if ok else '  (over the limits)'}")
print(f"Largest N with every viewer connected, loss < 0.1 % and p99 < 50 ms: {best if best else 'none'}")
print("(cores: the server's; CPU ms/s per viewer: server CPU milliseconds per second per viewer; keyframe: from a viewer's POST")
print(" to its first keyframe; tool cores: the load tool's, on the same machine)")
print("Reference: SRS states ~2,000 WebRTC players at ~600 kbit/s on one 2-vCPU VM (trunk/doc/PERFORMANCE.md), load tool elsewhere.")
PY
exit $status
