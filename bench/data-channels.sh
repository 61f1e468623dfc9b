#!/usr/bin/env bash
# data-channels.sh: the SFU's data bus under load, on loopback inside loopback-run, against two Chromium peers
# connected directly. For each scenario a fresh server starts (role all, anonymous joins) and Switchboard.MediaLoad
# --target data puts one sender and R receivers in one room over the native signaling (/ws), data channels only (the
# project's own ICE, DTLS client and SCTP in the client role, the two bus channels the JS SDK opens); the sender sends
# frames of SIZE payload bytes for everyone on the reliable or the lossy channel as fast as its SCTP send queue
# allows, and the server forwards each to every receiver. Then --target data-p2p runs the same sizes and modes between
# two RTCPeerConnections in one headless Chromium page (no server).
# Reported per scenario: messages and MB (10^6 bytes of payload) per second sent and received per receiver, messages
# delivered in all, loss once sending stopped and what was on the way arrived, and CPU per 1,000 delivered messages and
# per delivered MB: the server's (utime + stime from /proc) for the server path, every Chromium process's for p2p.
#
#   bench/data-channels.sh
#   SIZES="1024" MODES="reliable" RECEIVERS="10" P2P=0 DURATION=10 bench/data-channels.sh
#
# Settings (environment): SIZES payload bytes (default "100 1024 65536"), MODES (default "reliable lossy"), RECEIVERS
# receiver counts (default "10 1": p2p has one receiver, so the server path with one is its fair comparison),
# DURATION measured seconds per scenario (default 5), WARMUP seconds of sending before it (default 1), P2P=0 leaves the
# Chromium runs out, CHROMIUM (default /usr/bin/chromium; never downloaded), SB_ARGS extra server arguments,
# LOOPBACK_RUN (default: the repository's tools/loopback-run). The server, the load tool and Chromium share the
# machine's cores.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-100 1024 65536}
MODES=${MODES:-reliable lossy}
RECEIVERS=${RECEIVERS:-10 1}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
P2P=${P2P:-1}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SB_ARGS=${SB_ARGS:-}

if [ -z "${DATA_BENCH_INSIDE:-}" ]; then
  # Outside the namespace: build (restore needs the package registry).
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env DATA_BENCH_INSIDE=1 SIZES="$SIZES" MODES="$MODES" RECEIVERS="$RECEIVERS" DURATION="$DURATION" \
    WARMUP="$WARMUP" P2P="$P2P" CHROMIUM="$CHROMIUM" SB_ARGS="$SB_ARGS" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "$0"
fi

ulimit -n 65536 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
server_dll="$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll"
load="$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll"
http_port=18080

status=0
for receivers in $RECEIVERS; do
  for size in $SIZES; do
    for mode in $MODES; do
      name="server-$receivers-$size-$mode"
      lossy=()
      [ "$mode" = lossy ] && lossy=(--lossy)
      # shellcheck disable=SC2086 # SB_ARGS is a list of arguments
      dotnet "$server_dll" all --Http:Urls=http://127.0.0.1:$http_port --Server:DataDirectory="$work/data" \
        --Turn:Enabled=false --Media:UdpPort=17882 --Media:TcpPort=17881 --Signaling:AllowAnonymous=true \
        --Logging:LogLevel:Default=Warning $SB_ARGS > "$work/server-$name.log" 2>&1 &
      server=$!
      for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done
      if ! curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null; then
        echo "$name: Switchboard did not start:"; cat "$work/server-$name.log"; exit 1
      fi
      echo "== $name: 1 sender x $receivers receivers, $size B $mode, ${DURATION} s measured"
      rc=0
      dotnet "$load" --target data --url "http://127.0.0.1:$http_port" --room "$name" --receivers "$receivers" \
        --size "$size" "${lossy[@]}" --duration "$DURATION" --warmup "$WARMUP" --server-pid "$server" > "$work/out-$name.txt" || rc=$?
      kill "$server"; wait "$server" 2>/dev/null || true
      cat "$work/out-$name.txt"
      head -n 1 "$work/out-$name.txt" | grep '^{' >> "$work/results.jsonl" || true
      if [ "$rc" -ne 0 ]; then
        status=1
        echo "$name: the load tool exited with $rc; server log (warnings and errors):"
        tail -n 40 "$work/server-$name.log"
      fi
    done
  done
done

if [ "$P2P" = 1 ]; then
  for size in $SIZES; do
    for mode in $MODES; do
      lossy=()
      [ "$mode" = lossy ] && lossy=(--lossy)
      echo "== p2p: Chromium to Chromium, $size B $mode, ${DURATION} s measured"
      rc=0
      dotnet "$load" --target data-p2p --size "$size" "${lossy[@]}" --duration "$DURATION" --warmup "$WARMUP" \
        --chromium "$CHROMIUM" > "$work/out-p2p-$size-$mode.txt" || rc=$?
      cat "$work/out-p2p-$size-$mode.txt"
      head -n 1 "$work/out-p2p-$size-$mode.txt" | grep '^{' >> "$work/results.jsonl" || true
      if [ "$rc" -ne 0 ]; then status=1; echo "p2p $size $mode: the load tool exited with $rc"; fi
    done
  done
fi

python3 - "$work/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
def num(r, key):
    v = r.get(key)
    return v if isinstance(v, (int, float)) else float("nan")
print()
print(f"{'path':<8}{'recv':>5}{'size B':>8}{'mode':>9}{'sent msg/s':>12}{'sent MB/s':>10}{'per-recv msg/s':>15}{'per-recv MB/s':>14}"
      f"{'delivered/s':>12}{'deliv MB/s':>11}{'loss %':>8}{'CPU ms/1k':>10}{'CPU s/MB':>9}{'cores':>7}")
for r in rows:
    server = r["target"] == "data"
    cpu1k = num(r, "serverCpuSecondsPer1000Delivered" if server else "browserCpuSecondsPer1000Delivered") * 1000
    cpumb = num(r, "serverCpuSecondsPerDeliveredMB" if server else "browserCpuSecondsPerDeliveredMB")
    cores = num(r, "serverCoresUsed" if server else "browserCoresUsed")
    print(f"{'server' if server else 'p2p':<8}{r.get('receiversConnected', r['receivers']):>5}{r['size']:>8}{r['mode']:>9}"
          f"{num(r,'sentPerSecond'):>12.0f}{num(r,'sentMBPerSecond'):>10.2f}{num(r,'receivedPerSecondPerReceiver'):>15.0f}"
          f"{num(r,'receivedMBPerSecondPerReceiver'):>14.2f}{num(r,'deliveredPerSecond'):>12.0f}{num(r,'deliveredMBPerSecond'):>11.2f}"
          f"{num(r,'lossPercent'):>8.2f}{cpu1k:>10.3f}{cpumb:>9.4f}{cores:>7.2f}")
print("(CPU: the server process for the server path, every Chromium process (both peers) for p2p; ms per 1,000 delivered messages")
print(" and seconds per delivered MB of payload. The load tool's own CPU is in each JSON line.)")
PY
exit $status
