#!/usr/bin/env bash
# media-echo.sh: synthetic WebRTC peers (Switchboard.MediaLoad: ICE, DTLS client, SRTP) stream audio (50 packets/s)
# and video (1,200-byte packets at VIDEO_KBPS) through Switchboard's echo on loopback inside loopback-run, for each
# peer count in PEERS, and report echoed packets per second, loss, round-trip latency through the server and the
# server's CPU per echoed packet (each one received, authenticated, decrypted, encrypted again and sent).
#
#   bench/media-echo.sh
#   PEERS="50 200" DURATION=20 VIDEO_KBPS=2000 bench/media-echo.sh
#
# Settings (environment): PEERS (default "20 100 200"), DURATION measured seconds per run after 3 s of warm-up
# (default 10), VIDEO_KBPS per peer (default 1000), LOOPBACK_RUN (default: shared/tools/loopback-run beside the
# repository).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-20 100 200}
DURATION=${DURATION:-10}
VIDEO_KBPS=${VIDEO_KBPS:-1000}

if [ -z "${MEDIA_BENCH_INSIDE:-}" ]; then
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$(dirname "$ROOT")/shared/tools/loopback-run}
  exec "$LOOPBACK_RUN" env MEDIA_BENCH_INSIDE=1 PEERS="$PEERS" DURATION="$DURATION" VIDEO_KBPS="$VIDEO_KBPS" bash "$0"
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
for peers in $PEERS; do
  dotnet "$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll" all --Http:Urls=http://127.0.0.1:18080 \
    --Server:DataDirectory="$work/data" --Media:UdpPort=17882 --Media:TcpPort=17881 --Media:Echo:MaxSessions=10000 \
    --Turn:ListenAddresses:0=127.0.0.1 --Turn:Port=13478 --Turn:TlsPort=15349 --Logging:LogLevel:Default=Warning \
    > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
  dotnet "$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll" --server http://127.0.0.1:18080/ \
    --peers "$peers" --seconds "$DURATION" --video-kbps "$VIDEO_KBPS" --server-pid "$server" | tail -n 1
  kill "$server"; wait "$server" 2>/dev/null || true
done
