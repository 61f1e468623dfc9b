#!/usr/bin/env bash
# signaling-vs-peerjs.sh: the same signaling load against Switchboard's native protocol and against the PeerJS
# server (npm package `peer`), on loopback inside loopback-run: WebSocket clients in rooms relay offer- and
# candidate-sized messages in a closed loop (Switchboard.SignalingLoad), reporting messages per second, relay
# latency and the server's memory per connection.
#
#   bench/signaling-vs-peerjs.sh
#   CLIENTS=2000 ROOM_SIZE=8 RUNS=3 bench/signaling-vs-peerjs.sh
#
# Settings (environment):
#   CLIENTS        clients of the rate test (default 1000), ROOM_SIZE clients per room (default 4)
#   DURATION       measured seconds per run (default 10), after 3 s of warm-up
#   SCALE_CLIENTS  clients of the scale test (default 10000), with one message circulating per room
#   RUNS           runs of each flow per server, interleaved (default 1)
#   LOOPBACK_RUN   path of loopback-run (default: the repository's tools/loopback-run)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLIENTS=${CLIENTS:-1000}
ROOM_SIZE=${ROOM_SIZE:-4}
DURATION=${DURATION:-10}
SCALE_CLIENTS=${SCALE_CLIENTS:-10000}
RUNS=${RUNS:-1}
SB_DLL=$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll
LOAD_DLL=$ROOT/bench/Switchboard.SignalingLoad/bin/Release/net10.0/Switchboard.SignalingLoad.dll
SB_HTTP_PORT=18080 PEERJS_PORT=19000

if [ -z "${SIGNALING_BENCH_INSIDE:-}" ]; then
  # Outside the namespace: fetch the PeerJS server and build (both need the package registries).
  (cd "$ROOT/bench/peerjs" && { [ -d node_modules/peer ] || npm install --no-audit --no-fund; })
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.SignalingLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env SIGNALING_BENCH_INSIDE=1 CLIENTS="$CLIENTS" ROOM_SIZE="$ROOM_SIZE" DURATION="$DURATION" \
    SCALE_CLIENTS="$SCALE_CLIENTS" RUNS="$RUNS" bash "$0"
fi

ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start_switchboard() {
  dotnet "$SB_DLL" all --Http:Urls=http://127.0.0.1:$SB_HTTP_PORT --Server:DataDirectory="$work/data" \
    --Turn:Enabled=false --Signaling:AllowAnonymous=true --Signaling:MaxConnections=100000 --Signaling:MaxConnectionsPerAddress=100000 --Signaling:MaxRooms=100000 \
    --Signaling:MessagesPerSecond=100000 --Signaling:MessageBurst=100000 --Logging:LogLevel:Default=Warning >"$work/switchboard.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SB_HTTP_PORT/healthz" >/dev/null && return; sleep 0.2; done
  echo "Switchboard did not start:"; cat "$work/switchboard.log"; exit 1
}

start_peerjs() {
  node "$ROOT/bench/peerjs/node_modules/.bin/peerjs" --port $PEERJS_PORT --host 127.0.0.1 --concurrent_limit 100000 \
    >"$work/peerjs.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PEERJS_PORT/" >/dev/null && return; sleep 0.2; done
  echo "PeerJS did not start:"; cat "$work/peerjs.log"; exit 1
}

# measure TARGET CLIENTS TOKENS_PER_ROOM: one run against a freshly started server; appends its JSON line.
measure() {
  local target=$1 clients=$2 tokens=$3 url
  if [ "$target" = switchboard ]; then start_switchboard; url=ws://127.0.0.1:$SB_HTTP_PORT/ws
  else start_peerjs; url=ws://127.0.0.1:$PEERJS_PORT/peerjs; fi
  dotnet "$LOAD_DLL" --target "$target" --url "$url" --clients "$clients" --room-size "$ROOM_SIZE" --tokens-per-room "$tokens" \
    --duration "$DURATION" --server-pid "$server_pid" >>"$work/results.jsonl" || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
}

for _ in $(seq "$RUNS"); do
  for target in switchboard peerjs; do measure "$target" "$CLIENTS" "$ROOM_SIZE"; done
  for target in switchboard peerjs; do measure "$target" "$SCALE_CLIENTS" 1; done
done

python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(target, clients, key):
    v = [r[key] for r in rows if r["target"] == target and r["clients"] == clients]
    return statistics.median(v) if v else float("nan")
print(f"{'flow':<28}{'server':<13}{'connected':>10}{'msg/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/1k':>10}{'RSS MiB':>9}{'KiB/conn':>10}")
for clients in sorted({r["clients"] for r in rows}):
    for target in ("switchboard", "peerjs"):
        print(f"{str(clients)+' clients':<28}{target:<13}{med(target,clients,'connected'):>10.0f}{med(target,clients,'messagesPerSecond'):>10.0f}"
              f"{med(target,clients,'p50Ms'):>9.2f}{med(target,clients,'p99Ms'):>9.2f}{med(target,clients,'serverCpuMsPer1000Messages'):>10.1f}{med(target,clients,'serverPeakRssMiB'):>9.1f}{med(target,clients,'serverKiBPerConnection'):>10.1f}")
    ratio = med("switchboard", clients, "messagesPerSecond") / med("peerjs", clients, "messagesPerSecond")
    print(f"{'':<28}ratio Switchboard/PeerJS msg/s: {ratio:.2f}")
for r in rows:
    if r["errors"]: print("errors:", r["target"], r["clients"], r["errors"])
PY
