#!/usr/bin/env bash
# turn-vs-coturn.sh: relays the same turnutils_uclient load through Switchboard's TURN server and
# through coturn's turnserver, on loopback inside loopback-run, and compares packets per second,
# loss and server CPU time per million relayed packets.
#
#   bench/turn-vs-coturn.sh                   # defaults below, 3 runs of each server, medians
#   CLIENTS=40 MESSAGES=4000 bench/turn-vs-coturn.sh
#   UCLIENT_FLAGS="-y -c -s" bench/turn-vs-coturn.sh   # Send/Data indications instead of channels
#
# Settings (environment):
#   RUNS           runs per server, interleaved Switchboard, coturn, Switchboard, ... (default 3)
#   CLIENTS        turnutils_uclient -m: client sessions (default 100)
#   MESSAGES       turnutils_uclient -n: messages per session (default 5000)
#   LENGTH         turnutils_uclient -l: payload bytes (default 100)
#   INTERVAL       turnutils_uclient -z: milliseconds between a session's messages (default 1)
#   UCLIENT_FLAGS  default "-y -c": sessions send to each other's relayed addresses through the
#                  server (so every message is relayed twice: client->peer, then peer->client),
#                  no RTCP allocations; ChannelData unless -s is added
#   LOOPBACK_RUN   path of loopback-run (default: the repository's tools/loopback-run)
#   KEEP_LOGS=1    keep the work directory (server logs, each uclient output) and print its path
#   SB_ARGS        more Switchboard settings, e.g. SB_ARGS="--Turn:InlineSocketCompletions=true"
#
# "Relayed" counts messages that arrived back at a client (tot_recv_msgs), each of which crossed the
# server twice. Rates divide them by uclient's "Total transmit time" (whole seconds, so keep runs
# long); the server's CPU time is taken over the whole uclient run, allocation setup included.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-100}
MESSAGES=${MESSAGES:-5000}
LENGTH=${LENGTH:-100}
INTERVAL=${INTERVAL:-1}
UCLIENT_FLAGS=${UCLIENT_FLAGS:--y -c}
SB_DLL=$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll

SB_PORT=13478 SB_TLS_PORT=15349 SB_HTTP_PORT=18080 SB_MIN_PORT=20000 SB_MAX_PORT=29999
CT_PORT=13479 CT_TLS_PORT=15350 CT_MIN_PORT=30000 CT_MAX_PORT=39999

die() { echo "turn-vs-coturn: $*" >&2; exit 1; }

# ---- Outside: check tools, build, then run this script again inside loopback-run ----
if [ "${LOOPBACK_RUN_INSIDE:-}" != 1 ]; then
  for tool in dotnet turnserver turnutils_uclient curl awk; do
    command -v "$tool" >/dev/null || die "'$tool' not found (coturn provides turnserver and turnutils_uclient)"
  done
  stale=
  if [ -f "$SB_DLL" ]; then
    stale=$(find "$ROOT/src" "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" \
      \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) \
      -newer "$SB_DLL" -print -quit)
  fi
  if [ ! -f "$SB_DLL" ] || [ -n "$stale" ]; then
    echo "Building Switchboard (Release)..." >&2
    dotnet build -c Release --nologo -v q "$ROOT/src/Switchboard.Server/Switchboard.Server.csproj" >&2 || die "build failed"
  fi
  exec "${LOOPBACK_RUN:-$ROOT/tools/loopback-run}" bash "${BASH_SOURCE[0]}" "$@"
fi

# ---- Inside loopback-run ----
WORK=$(mktemp -d)
SERVER_PIDS=()
cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-}" = 1 ]; then echo "Logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

udp_listening() { # port: is something bound to it on 127.0.0.1 or 0.0.0.0?
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/udp
}

wait_ready() { # name pid port [health-url]
  local name=$1 pid=$2 port=$3 url=${4:-} i
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$WORK/$name.log" >&2; die "$name exited during start"; }
    if udp_listening "$port" && { [ -z "$url" ] || curl -sf -o /dev/null "$url"; }; then return 0; fi
    sleep 0.2
  done
  tail -20 "$WORK/$name.log" >&2
  die "$name is not listening on UDP $port after 30 s"
}

cpu_ticks() { # utime + stime of a process, in clock ticks (all its threads)
  [ -r "/proc/$1/stat" ] || die "server process $1 is gone"
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

sb_allocated_bytes() { # managed bytes the Switchboard process has allocated so far
  curl -sf "http://127.0.0.1:$SB_HTTP_PORT/metrics" | awk '$1 ~ /^dotnet_gc_heap_total_allocated_bytes_total/ { print $2; found = 1 } END { if (!found) print "NA" }'
}

start_switchboard() {
  dotnet "$SB_DLL" turn --Http:Urls="http://127.0.0.1:$SB_HTTP_PORT" --Server:DataDirectory="$WORK/switchboard-data" \
    --Turn:ListenAddresses:0=127.0.0.1 --Turn:RelayAddress=127.0.0.1 --Turn:Port=$SB_PORT --Turn:TlsPort=$SB_TLS_PORT \
    --Turn:EnableTls=false --Turn:EnableDtls=false --Turn:AllowLoopbackPeers=true --Turn:Users:0=alice:secret \
    --Turn:MinPort=$SB_MIN_PORT --Turn:MaxPort=$SB_MAX_PORT --Logging:LogLevel:Default=Warning ${SB_ARGS:-} \
    >"$WORK/switchboard.log" 2>&1 &
  SB_PID=$!
  SERVER_PIDS+=("$SB_PID")
  wait_ready switchboard "$SB_PID" "$SB_PORT" "http://127.0.0.1:$SB_HTTP_PORT/healthz"
  # One scrape before the runs, so the exporter has collected once, as in production.
  [ "$(sb_allocated_bytes)" != NA ] || die "Switchboard /metrics has no allocation counter"
}

start_coturn() {
  turnserver -n --no-cli --listening-ip 127.0.0.1 --relay-ip 127.0.0.1 -p $CT_PORT --tls-listening-port $CT_TLS_PORT \
    --min-port $CT_MIN_PORT --max-port $CT_MAX_PORT --lt-cred-mech --user alice:secret --realm switchboard \
    --allow-loopback-peers --no-tls --no-dtls --no-stdout-log --log-file "$WORK/coturn-file.log" --simple-log \
    --pidfile "$WORK/coturn.pid" >"$WORK/coturn.log" 2>&1 &
  CT_PID=$!
  SERVER_PIDS+=("$CT_PID")
  wait_ready coturn "$CT_PID" "$CT_PORT"
}

# run_load NAME PID PORT INDEX: one uclient run; appends a line to $WORK/results.
run_load() {
  local name=$1 pid=$2 port=$3 index=$4 out="$WORK/$1-$4.out" before after alloc_before=NA alloc_after=NA timing
  [ "$name" = switchboard ] && alloc_before=$(sb_allocated_bytes)
  before=$(cpu_ticks "$pid")
  local TIMEFORMAT='%R %U %S'
  # shellcheck disable=SC2086 # UCLIENT_FLAGS is a list of flags
  timing=$( { time turnutils_uclient $UCLIENT_FLAGS -m "$CLIENTS" -n "$MESSAGES" -l "$LENGTH" -z "$INTERVAL" \
    -u alice -w secret -p "$port" 127.0.0.1 >"$out" 2>&1; } 2>&1 ) || { tail -20 "$out" >&2; die "turnutils_uclient failed against $name"; }
  after=$(cpu_ticks "$pid")
  [ "$name" = switchboard ] && alloc_after=$(sb_allocated_bytes)
  local sent recv transmit lost rtt
  sent=$(grep -o 'tot_send_msgs=[0-9]*, tot_recv_msgs=[0-9]*$' "$out" | tail -1 | sed 's/tot_send_msgs=\([0-9]*\), tot_recv_msgs=\([0-9]*\)/\1 \2/') || true
  transmit=$(sed -n 's/.*Total transmit time is \([0-9.]*\).*/\1/p' "$out" | tail -1)
  lost=$(sed -n 's/.*Total lost packets \([0-9]*\) .*/\1/p' "$out" | tail -1)
  rtt=$(sed -n 's/.*Average round trip delay \([0-9.]*\) ms.*/\1/p' "$out" | tail -1)
  [ -n "$sent" ] && [ -n "$transmit" ] && [ -n "$lost" ] && [ -n "$rtt" ] || { tail -20 "$out" >&2; die "cannot read the uclient summary of $name run $index"; }
  recv=${sent#* } sent=${sent% *}
  [ "$recv" -gt 0 ] || { tail -20 "$out" >&2; die "$name relayed nothing in run $index"; }
  [ "$transmit" -gt 0 ] || die "$name run $index lasted under a second of transmit time: raise MESSAGES"
  echo "$name $index $sent $recv $lost $transmit $timing $((after - before)) $alloc_before $alloc_after $rtt" >>"$WORK/results"
}

echo "Starting Switchboard (UDP $SB_PORT) and coturn $(turnserver --version 2>/dev/null | head -1) (UDP $CT_PORT)..." >&2
start_switchboard
start_coturn
CLK_TCK=$(getconf CLK_TCK)
: >"$WORK/results"
for ((run = 1; run <= RUNS; run++)); do
  echo "Run $run of $RUNS: Switchboard..." >&2
  run_load switchboard "$SB_PID" $SB_PORT $run
  echo "Run $run of $RUNS: coturn..." >&2
  run_load coturn "$CT_PID" $CT_PORT $run
done

# Per run: packets/s = received / transmit time; CPU s per million = server CPU / received * 1e6.
awk -v tck="$CLK_TCK" -v flags="$UCLIENT_FLAGS" -v m="$CLIENTS" -v n="$MESSAGES" -v l="$LENGTH" -v z="$INTERVAL" -v runs="$RUNS" '
function median(list, count,   i, j, t, a) {
  split(list, a, " ")
  for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return count % 2 ? a[(count + 1) / 2] : (a[count / 2] + a[count / 2 + 1]) / 2
}
{
  name = $1; sent = $3; recv = $4; lost = $5; transmit = $6; wall = $7; cuser = $8; csys = $9; ticks = $10; rtt = $13
  cpu = ticks / tck
  pps = recv / transmit; loss = sent ? 100 * lost / sent : 0; cpm = cpu / recv * 1e6
  ccpu = (cuser + csys) / wall * 100
  alloc = ($11 == "NA" || $12 == "NA") ? "-" : sprintf("%.1f MB", ($12 - $11) / 1e6)
  printf "%-11s run %d: sent %d, received %d, lost %d (%.3f%%), transmit %d s (uclient wall %.1f s), %.0f pkt/s, RTT %.2f ms, server CPU %.2f s = %.2f s per million, uclient CPU %.0f%% of one core, server managed allocations %s\n",
    name, $2, sent, recv, lost, loss, transmit, wall, pps, rtt, cpu, cpm, ccpu, alloc
  count[name]++; P[name] = P[name] " " pps; L[name] = L[name] " " loss; C[name] = C[name] " " cpm; U[name] = U[name] " " ccpu
  R[name] = R[name] " " rtt; S[name] = S[name] " " cpu
}
END {
  printf "\nLoad: turnutils_uclient %s -m %d -n %d -l %d -z %d; medians of %d runs\n\n", flags, m, n, l, z, runs
  printf "| Server | Relayed pkt/s | Loss %% | Avg RTT ms | Server CPU s | Server CPU s per 1M relayed | uclient CPU %% of a core |\n"
  printf "|---|---:|---:|---:|---:|---:|---:|\n"
  for (i = 1; i <= 2; i++) {
    s = i == 1 ? "switchboard" : "coturn"; c = count[s]
    mp[s] = median(P[s], c); ml[s] = median(L[s], c); mc[s] = median(C[s], c); mr[s] = median(R[s], c)
    printf "| %s | %.0f | %.3f | %.2f | %.2f | %.2f | %.0f |\n", s, mp[s], ml[s], mr[s], median(S[s], c), mc[s], median(U[s], c)
  }
  printf "\nSwitchboard / coturn: packets per second %.2f, server CPU per relayed packet %.2f", mp["switchboard"] / mp["coturn"], mc["switchboard"] / mc["coturn"]
  if (mr["coturn"] > 0) printf ", round trip %.2f", mr["switchboard"] / mr["coturn"]
  printf "\n"
}' "$WORK/results"
