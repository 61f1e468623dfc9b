#!/usr/bin/env bash
# media-echo.sh: synthetic WebRTC peers (Switchboard.MediaLoad: ICE, DTLS client, SRTP) stream audio (50 packets/s)
# and video (1,200-byte packets at VIDEO_KBPS) through Switchboard's echo on loopback inside loopback-run, for each
# peer count in PEERS, and report echoed packets per second, loss, round-trip latency through the server and the
# server's CPU per echoed packet (each one received, authenticated, decrypted, encrypted again and sent). Each peer
# count runs against Switchboard and then against Janus's EchoTest plugin (the reference: Debian package `janus`,
# skipped with a note when the `janus` binary is missing), with the ratio of server CPU per echoed packet.
#
#   bench/media-echo.sh
#   PEERS="50 200" DURATION=20 VIDEO_KBPS=2000 bench/media-echo.sh
#
# Settings (environment): PEERS (default "20 100 200"), DURATION measured seconds per run after 3 s of warm-up
# (default 10), VIDEO_KBPS per peer (default 1000), LOOPBACK_RUN (default: the repository's tools/loopback-run).
# Janus needs loopback-run's namespace (see below): where the host forbids namespaces, Switchboard runs alone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-20 100 200}
DURATION=${DURATION:-10}
VIDEO_KBPS=${VIDEO_KBPS:-1000}

if [ -z "${MEDIA_BENCH_INSIDE:-}" ]; then
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env MEDIA_BENCH_INSIDE=1 PEERS="$PEERS" DURATION="$DURATION" VIDEO_KBPS="$VIDEO_KBPS" bash "$0"
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
load="$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll"

# Janus, configured for this run only (a private configs folder, nothing read from /etc/janus):
# - janus.jcfg: only the EchoTest plugin and the plain HTTP transport load (every other plugin, transport and logger
#   is listed under `disable`; event handlers are off); debug_level 3 (errors and warnings) so logging costs nothing
#   per packet; `media` is left at Janus's defaults (NACK buffer, RTCP, no DSCP).
# - nat: a full ICE agent (ice_lite = false, as Janus ships), half-trickle (full_trickle = false: the candidates are in
#   the answer), no ICE-TCP, no STUN or TURN server, mDNS candidates ignored, IPv6 off, and ICE gathering enforced to
#   127.0.0.1 (ice_enforce_list).
# - Janus never gathers on a loopback interface (src/ice.c skips every IFF_LOOPBACK interface, with no setting to
#   change that; with nothing else to gather on, "Error gathering candidates" fails every offer). Inside loopback-run the
#   only interface is lo, so the script adds an ifb interface to the private namespace carrying 127.0.0.1/32 (the same
#   loopback address, which the kernel still delivers locally over lo): Janus gathers 127.0.0.1 from it, and every
#   packet still goes to 127.0.0.1. The interface vanishes with the namespace.
# - janus.transport.http.jcfg: HTTP on 127.0.0.1:18088, path /janus, no HTTPS, admin API off.
janus_conf="$work/janus"
have_janus=
if ! command -v janus >/dev/null; then
  echo "janus not installed (apt-get install janus): Switchboard only" >&2
elif [ "${LOOPBACK_RUN_ISOLATED:-}" != 1 ]; then
  # On the host's network the ifb interface below would be added to the host itself: leave Janus out.
  echo "not in a private network namespace (see loopback-run's message): Switchboard only" >&2
else
  have_janus=1
  janus_lib=$(dirname "$(dpkg -L janus 2>/dev/null | grep -m1 '/janus/plugins/libjanus_echotest.so$')")/..
  janus_lib=$(cd "$janus_lib" && pwd)
  others() { (cd "$janus_lib/$1" && ls lib*.so | grep -v -x -e "$2" | paste -sd,); }
  mkdir -p "$janus_conf"
  cat > "$janus_conf/janus.jcfg" <<EOF
general: {
  configs_folder = "$janus_conf"
  plugins_folder = "$janus_lib/plugins"
  transports_folder = "$janus_lib/transports"
  events_folder = "$janus_lib/events"
  loggers_folder = "$janus_lib/loggers"
  debug_level = 3
}
certificates: { }
media: { }
nat: {
  nice_debug = false
  ice_lite = false
  full_trickle = false
  ice_tcp = false
  ignore_mdns = true
  ice_enforce_list = "127.0.0.1"
}
plugins: { disable = "$(others plugins libjanus_echotest.so)" }
transports: { disable = "$(others transports libjanus_http.so)" }
loggers: { disable = "$(others loggers -)" }
events: { broadcast = false }
EOF
  cat > "$janus_conf/janus.transport.http.jcfg" <<EOF
general: { json = "compact" base_path = "/janus" http = true port = 18088 ip = "127.0.0.1" https = false }
admin: { admin_http = false admin_https = false }
EOF
  echo 'general: { }' > "$janus_conf/janus.plugin.echotest.jcfg"
  ip link add janus-lo type ifb && ip addr add 127.0.0.1/32 dev janus-lo && ip link set janus-lo up
fi

cpu_per_packet() { grep -o '"serverCpuMicrosecondsPerPacket":[0-9.]*' <<<"$1" | cut -d: -f2; }
for peers in $PEERS; do
  dotnet "$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll" all --Http:Urls=http://127.0.0.1:18080 \
    --Server:DataDirectory="$work/data" --Media:UdpPort=17882 --Media:TcpPort=17881 --Media:Echo:MaxSessions=10000 \
    --Turn:ListenAddresses:0=127.0.0.1 --Turn:Port=13478 --Turn:TlsPort=15349 --Logging:LogLevel:Default=Warning \
    > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.2; done
  out=$(dotnet "$load" --server http://127.0.0.1:18080/ \
    --peers "$peers" --seconds "$DURATION" --video-kbps "$VIDEO_KBPS" --server-pid "$server")
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "$out" | tail -n 1
  [ -n "$have_janus" ] || continue

  janus --configs-folder="$janus_conf" --config="$janus_conf/janus.jcfg" --disable-colors > "$work/janus.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18088/janus/info >/dev/null && break; sleep 0.2; done
  janus_out=$(dotnet "$load" --target janus --janus http://127.0.0.1:18088/janus \
    --peers "$peers" --seconds "$DURATION" --video-kbps "$VIDEO_KBPS" --server-pid "$server")
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "$janus_out" | tail -n 1
  awk -v p="$peers" -v s="$(cpu_per_packet "$(echo "$out" | head -n 1)")" -v j="$(cpu_per_packet "$(echo "$janus_out" | head -n 1)")" \
    'BEGIN { printf "%s peers: server CPU per echoed packet Janus / Switchboard = %.2f\n", p, j / s }'
done
