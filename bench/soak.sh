#!/usr/bin/env bash
# soak.sh: one Switchboard server (role all) under a long mixed load, on loopback inside loopback-run, sampling the
# server process's resident memory, managed heap, threads and file descriptors every 10 s into a CSV, then printing
# each series' slope after the warm-up (least squares over the samples after SOAK_WARMUP_MINUTES), to tell a leak from
# a plateau. The load, all against the same process:
#
#   - a call: Switchboard.MediaLoad --target call, 6 participants in one SFU room, each publishing a microphone and a
#     camera in three simulcast layers (rids q, h, f, learnt by the SFU from the mid and rid header extensions) and
#     receiving everyone else with NACKs, transport-wide feedback and receiver reports; participant 0's path drops
#     SOAK_LOSS_PERCENT of the datagrams each way; the last participant makes a new peer connection (new certificate,
#     ICE credentials and SSRCs) every minute; every 5 minutes another one leaves the room and joins again; rendered
#     sizes (track-settings) change every 20 s and the loudest speaker every 5 s;
#   - signaling churn: Switchboard.SignalingLoad --mode churn, 16 loops joining one of 40 rooms, messaging and leaving
#     (leave, dropped connection, close, or drop and resume) without pause;
#   - TURN allocations: coturn's turnutils_uclient in a loop against Switchboard's TURN port, in turn over UDP with
#     long-term credentials, UDP with TURN REST credentials, TCP, and TCP relays (RFC 6062), 4 sessions of 100
#     messages each time, with a 2 s pause.
#
#   bench/soak.sh                         # 30 minutes
#   SOAK_MINUTES=3 bench/soak.sh          # a short run that checks the script (warm-up 1 minute)
#
# Settings (environment): SOAK_MINUTES (default 30), SOAK_WARMUP_MINUTES (default 5, or a third of a run shorter than
# 15 minutes), SOAK_PARTICIPANTS (6), SOAK_LOSS_PERCENT (5), SOAK_RECONNECT_SECONDS (60), SOAK_REJOIN_SECONDS (300),
# SOAK_CHURN_CLIENTS (16), SOAK_SAMPLE_SECONDS (10), SOAK_OUT (directory for the CSV and logs; default a new temporary
# one, printed at the end), SB_ARGS (more server arguments), LOOPBACK_RUN (default tools/loopback-run in the repository).
#
# The CSV (soak.csv) has one row per sample: seconds since the server started; its RSS (VmRSS, KiB); the managed heap
# after the last GC (the sum of dotnet_gc_last_collection_heap_size_bytes over generations, from /metrics) and the GC's
# committed bytes; threads (/proc/PID/task); file descriptors (/proc/PID/fd); the runtime's timers and thread-pool
# threads; gen2 collections so far; CPU seconds so far; and the server's own gauges (media peers, signaling
# connections, participants and rooms, TURN allocations). The server is started with the arguments printed first.
# The summary gives each series after the warm-up and at the end, its slope per hour over the samples under load after
# the warm-up and over their second half (a plateau reached late shows as a slope there near 0), its value 30 s after
# the load ended, and the managed heap sampled after each gen2 collection (its floor).
#
# turnutils_uclient -y deletes only two of the three allocations of each pair of sessions and leaves the third to
# expire after the 777 s it asks for: the active allocations (and their relay sockets) climb for 13 minutes, then stay.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOAK_MINUTES=${SOAK_MINUTES:-30}
if [ -z "${SOAK_WARMUP_MINUTES:-}" ]; then
  SOAK_WARMUP_MINUTES=$(awk -v m="$SOAK_MINUTES" 'BEGIN { print (m < 15 ? m / 3 : 5) }')
fi
SOAK_PARTICIPANTS=${SOAK_PARTICIPANTS:-6}
SOAK_LOSS_PERCENT=${SOAK_LOSS_PERCENT:-5}
SOAK_RECONNECT_SECONDS=${SOAK_RECONNECT_SECONDS:-60}
SOAK_REJOIN_SECONDS=${SOAK_REJOIN_SECONDS:-300}
SOAK_CHURN_CLIENTS=${SOAK_CHURN_CLIENTS:-16}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-10}
SB_ARGS=${SB_ARGS:-}

die() { echo "soak: $*" >&2; exit 1; }

# ---- Outside: build (restore needs the package registry), then run again inside loopback-run ----
if [ -z "${SOAK_INSIDE:-}" ]; then
  for tool in dotnet curl turnutils_uclient python3 awk; do
    command -v "$tool" >/dev/null || die "'$tool' not found (coturn provides turnutils_uclient)"
  done
  echo "Building Switchboard and the load tools (Release)..." >&2
  for project in src/Switchboard.Server bench/Switchboard.MediaLoad bench/Switchboard.SignalingLoad; do
    dotnet build -c Release --nologo -v q "$ROOT/$project" >/dev/null || die "build of $project failed"
  done
  SOAK_OUT=${SOAK_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/switchboard-soak.XXXXXX")}
  mkdir -p "$SOAK_OUT"
  runner=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  [ -x "$runner" ] || die "loopback-run not found at $runner; set LOOPBACK_RUN"
  exec "$runner" env SOAK_INSIDE=1 SOAK_OUT="$SOAK_OUT" SOAK_MINUTES="$SOAK_MINUTES" SOAK_WARMUP_MINUTES="$SOAK_WARMUP_MINUTES" \
    SOAK_PARTICIPANTS="$SOAK_PARTICIPANTS" SOAK_LOSS_PERCENT="$SOAK_LOSS_PERCENT" SOAK_RECONNECT_SECONDS="$SOAK_RECONNECT_SECONDS" \
    SOAK_REJOIN_SECONDS="$SOAK_REJOIN_SECONDS" SOAK_CHURN_CLIENTS="$SOAK_CHURN_CLIENTS" SOAK_SAMPLE_SECONDS="$SOAK_SAMPLE_SECONDS" \
    SB_ARGS="$SB_ARGS" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "${BASH_SOURCE[0]}"
fi

# ---- Inside loopback-run ----
ulimit -n 65536 2>/dev/null || true
OUT=$SOAK_OUT
DATA=$(mktemp -d)
HTTP=http://127.0.0.1:18080
TURN_PORT=13478
DURATION=$(awk -v m="$SOAK_MINUTES" 'BEGIN { printf "%d", m * 60 }')
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server_args=(all --Http:Urls=$HTTP --Server:DataDirectory="$DATA" --Signaling:AllowAnonymous=true
  --Media:UdpPort=17882 --Media:TcpPort=17881
  --Turn:ListenAddresses:0=127.0.0.1 --Turn:Port=$TURN_PORT --Turn:TlsPort=15349 --Turn:RelayAddress=127.0.0.1
  --Turn:AllowLoopbackPeers=true --Turn:Users:0=alice:secret --Turn:StaticAuthSecrets:0=soak-rest-secret
  --Turn:MinPort=20000 --Turn:MaxPort=29999 --Logging:LogLevel:Default=Warning)
# shellcheck disable=SC2206 # SB_ARGS is a list of arguments
server_args+=($SB_ARGS)
echo "Server: dotnet src/Switchboard.Server/bin/Release/net10.0/switchboard.dll ${server_args[*]}" | sed "s#$DATA#DATA#g" | tee "$OUT/server-command.txt" >&2
dotnet "$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll" "${server_args[@]}" >"$OUT/server.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 150); do curl -sf "$HTTP/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$HTTP/healthz" >/dev/null || { tail -20 "$OUT/server.log" >&2; die "Switchboard did not start"; }
START=$(date +%s)

# One sample: /proc for the process, /metrics for the runtime's and the server's own gauges.
sample() {
  local now rss threads fds cpu metrics
  now=$(($(date +%s) - START))
  [ -r "/proc/$SERVER/status" ] || return 1
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER/status")
  threads=$(find "/proc/$SERVER/task" -mindepth 1 -maxdepth 1 | wc -l)
  fds=$(find "/proc/$SERVER/fd" -mindepth 1 -maxdepth 1 | wc -l)
  cpu=$(sed 's/^.*) //' "/proc/$SERVER/stat" | awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / t }')
  metrics=$(curl -sf --max-time 5 "$HTTP/metrics" || true)
  awk -v now="$now" -v rss="$rss" -v threads="$threads" -v fds="$fds" -v cpu="$cpu" '
    function value(line) { return $NF }
    /^dotnet_gc_last_collection_heap_size_bytes/ { heap += $NF }
    /^dotnet_gc_last_collection_memory_committed_size_bytes/ { committed = $NF }
    /^dotnet_timer_count/ { timers = $NF }
    /^dotnet_thread_pool_thread_count/ { pool = $NF }
    /^dotnet_gc_collections_total.*gen2/ { gen2 = $NF }
    /^switchboard_media_peers[{ ]/ { peers = $NF }
    /^switchboard_signaling_connections[{ ]/ { connections = $NF }
    /^switchboard_signaling_participants[{ ]/ { participants = $NF }
    /^switchboard_signaling_rooms[{ ]/ { rooms = $NF }
    /^switchboard_turn_allocations_active[{ ]/ { allocations = $NF }
    END { printf "%d,%d,%.0f,%.0f,%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", now, rss, heap, committed, threads, fds, timers, pool, gen2, cpu,
      peers, connections, participants, rooms, allocations }' <<<"$metrics" >>"$OUT/soak.csv"
}
echo "seconds,rss_kib,heap_bytes,gc_committed_bytes,threads,fds,timers,threadpool_threads,gen2_collections,cpu_seconds,media_peers,signaling_connections,signaling_participants,signaling_rooms,turn_allocations" >"$OUT/soak.csv"
sample

echo "Soak: ${SOAK_MINUTES} min (warm-up ${SOAK_WARMUP_MINUTES} min), server pid $SERVER, samples every ${SOAK_SAMPLE_SECONDS} s into $OUT/soak.csv" >&2
dotnet "$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll" --target call --url "$HTTP" --room soak \
  --participants "$SOAK_PARTICIPANTS" --duration "$DURATION" --loss-percent "$SOAK_LOSS_PERCENT" \
  --reconnect-every "$SOAK_RECONNECT_SECONDS" --rejoin-every "$SOAK_REJOIN_SECONDS" --report-every 60 >"$OUT/call.jsonl" 2>"$OUT/call.log" &
CALL=$!
PIDS+=("$CALL")
dotnet "$ROOT/bench/Switchboard.SignalingLoad/bin/Release/net10.0/Switchboard.SignalingLoad.dll" --mode churn --url "ws://127.0.0.1:18080/ws" \
  --clients "$SOAK_CHURN_CLIENTS" --rooms 40 --duration "$DURATION" --report-every 60 >"$OUT/churn.jsonl" 2>"$OUT/churn.log" &
CHURN=$!
PIDS+=("$CHURN")

# TURN: turnutils_uclient in turn over UDP (long-term and REST credentials), TCP, and TCP relays, until the end.
turn_loop() {
  local end=$(($(date +%s) + DURATION)) run=0 ok=0 failed=0 flags
  while [ "$(date +%s)" -lt "$end" ]; do
    case $((run % 4)) in
      0) flags=(-y -c -u alice -w secret) ;;
      1) flags=(-y -c -u soak -W soak-rest-secret) ;;
      2) flags=(-t -y -c -u alice -w secret) ;;
      *) flags=(-T -u alice -w secret) ;;
    esac
    if timeout 60 turnutils_uclient "${flags[@]}" -m 4 -n 100 -l 100 -z 10 -p $TURN_PORT 127.0.0.1 >"$OUT/uclient-last.log" 2>&1; then
      ok=$((ok + 1))
    else
      failed=$((failed + 1))
      cp "$OUT/uclient-last.log" "$OUT/uclient-failed-$run.log"
    fi
    run=$((run + 1))
    echo "$run $ok $failed" >"$OUT/turn-runs.txt"
    sleep 2
  done
}
turn_loop &
TURN_LOOP=$!
PIDS+=("$TURN_LOOP")

while kill -0 "$CALL" 2>/dev/null || kill -0 "$CHURN" 2>/dev/null || kill -0 "$TURN_LOOP" 2>/dev/null; do
  sleep "$SOAK_SAMPLE_SECONDS"
  sample || die "the server exited; see $OUT/server.log"
done
status=0
wait "$CALL" || { status=1; echo "soak: the call load tool exited with an error (see $OUT/call.log)" >&2; }
wait "$CHURN" || { status=1; echo "soak: the churn load tool exited with an error (see $OUT/churn.log)" >&2; }
wait "$TURN_LOOP" || true
LOAD_END=$(($(date +%s) - START))
# Once the resume window (20 s) has passed, what is left of the load should be gone: one more sample.
sleep 30
sample || die "the server exited; see $OUT/server.log"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

echo
echo "Call (participants' totals):"; tail -n 1 "$OUT/call.jsonl"
echo "Signaling churn:"; tail -n 1 "$OUT/churn.jsonl"
read -r turn_runs turn_ok turn_failed <"$OUT/turn-runs.txt"
echo "TURN: $turn_runs turnutils_uclient runs, $turn_ok succeeded, $turn_failed failed"
errors=$(grep -ci '"LogLevel":"\(Error\|Critical\)"' "$OUT/server.log" || true)
echo "Server log: $errors errors ($OUT/server.log has the warnings and errors)"

python3 - "$OUT/soak.csv" "$SOAK_WARMUP_MINUTES" "$DURATION" "$LOAD_END" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
warmup, duration, load_end = float(sys.argv[2]) * 60, float(sys.argv[3]), float(sys.argv[4])
after = [r for r in rows if warmup <= float(r["seconds"]) <= duration]
late = after[len(after) // 2:]
idle = rows[-1]
print(f"\n{len(rows)} samples, {len(after)} under load after the {warmup / 60:g}-minute warm-up (slopes over these; the last column over "
      f"their second half, from {float(late[0]['seconds']) / 60:.0f} min), and one {float(idle['seconds']) - load_end:.0f} s after the load ended (idle)")
if len(after) < 6:
    sys.exit("too few samples after the warm-up for a slope")
def num(v):
    try: return float(v)
    except ValueError: return float("nan")
def slope(xs, ys):
    n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else float("nan")
series = [("RSS", "rss_kib", 1 / 1024, "MiB"), ("managed heap", "heap_bytes", 1 / 1048576, "MiB"),
          ("GC committed", "gc_committed_bytes", 1 / 1048576, "MiB"), ("threads", "threads", 1, ""), ("handles (fds)", "fds", 1, ""),
          ("timers", "timers", 1, ""), ("thread-pool threads", "threadpool_threads", 1, ""), ("media peers", "media_peers", 1, ""),
          ("signaling connections", "signaling_connections", 1, ""), ("signaling participants", "signaling_participants", 1, ""),
          ("signaling rooms", "signaling_rooms", 1, ""), ("TURN allocations", "turn_allocations", 1, "")]
hours = [num(r["seconds"]) / 3600 for r in after]
print(f"{'series':<24}{'after warm-up':>15}{'at the end':>12}{'min':>10}{'max':>10}{'slope per hour':>16}{'% of start/h':>14}{'idle':>10}{'2nd half slope/h':>18}")
for name, key, scale, unit in series:
    ys = [num(r[key]) * scale for r in after]
    if any(y != y for y in ys):
        print(f"{name:<24}{'(not exported)':>15}")
        continue
    s = slope(hours, ys)
    rel = 100 * s / ys[0] if ys[0] else float("nan")
    late_slope = slope(hours[len(hours) - len(late):], ys[len(ys) - len(late):])
    print(f"{name:<24}{ys[0]:>15.1f}{ys[-1]:>12.1f}{min(ys):>10.1f}{max(ys):>10.1f}{s:>+13.2f} {unit:<3}{rel:>+13.1f}%{num(idle[key]) * scale:>10.1f}"
          f"{late_slope:>+15.2f} {unit}")
# The heap after the last GC includes young garbage when that GC was a gen0/gen1 one: its floor is the heap sampled
# right after a gen2 collection.
floor = [(num(b["seconds"]), num(b["heap_bytes"]) / 1048576) for a, b in zip(after, after[1:]) if num(b["gen2_collections"]) > num(a["gen2_collections"])]
if floor:
    print("managed heap at gen2 collections (min:s MiB): " + ", ".join(f"{t / 60:.0f}:{h:.0f}" for t, h in floor))
cpu = num(after[-1]["cpu_seconds"]) - num(rows[0]["cpu_seconds"]); span = num(after[-1]["seconds"]) - num(rows[0]["seconds"])
print(f"server CPU: {cpu:.0f} s over {span:.0f} s ({cpu / span:.2f} cores)")
PY
echo "CSV and logs: $OUT"
exit $status
