#!/usr/bin/env bash
# recording.sh: what server-side recording costs the SFU, on loopback inside loopback-run, against what one browser-based
# recorder costs. For each scenario the same load as media-sfu.sh (Switchboard.MediaLoad --target sfu: P synthetic
# publishers, each a microphone of 50 packets/s and a VP8 camera at VIDEO_KBPS, and S synthetic subscribers of every
# track, over real ICE, DTLS and SRTP) runs three times, each on a fresh server (role all, anonymous joins):
#   plain     the load alone;
#   record    the load with the room recorded: MediaLoad --record-token starts the recording through the REST API
#             (POST /api/rooms/{room}/recordings, an admin token from `switchboard token create --admin`) after the
#             warm-up, one second before the measured window, and stops it after the window (POST
#             /api/recordings/{id}/stop), then reads the files it wrote;
#   chromium  the load with one headless Chromium (--chromium-recorder) on the web app's room page /room/{room}, no
#             camera or microphone, receiving, decoding and playing every track: what LiveKit Egress or Jitsi's Jibri run
#             per recording, before their encoder.
# Reported: the server's CPU seconds per second (utime + stime from /proc) in each run, the difference between record and
# plain divided by the recorded tracks (CPU per recorded track, % of a core), forwarding latency p99 (publisher send to
# subscriber receive) in each run, the files, bytes and durations the recording wrote against the time it ran, and the
# CPU of every Chromium process over the same window.
#
#   bench/recording.sh
#   SCENARIOS="meeting:4:4" DURATION=20 RUNS=2 bench/recording.sh
#
# Settings (environment): SCENARIOS, space-separated name:publishers:subscribers (default "meeting:4:4"), DURATION
# measured seconds per run (default 20), WARMUP seconds after every subscriber is connected (default 6), VIDEO_KBPS per
# publisher (default 1000), RUNS of the three modes, interleaved (default 1), MODES (default "plain record chromium"),
# CHROMIUM (default /usr/bin/chromium; never downloaded), SB_ARGS extra server arguments, LOOPBACK_RUN (default: the
# repository's tools/loopback-run). The server, the load tool and Chromium share the machine's cores.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCENARIOS=${SCENARIOS:-meeting:4:4}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-6}
VIDEO_KBPS=${VIDEO_KBPS:-1000}
RUNS=${RUNS:-1}
MODES=${MODES:-plain record chromium}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SB_ARGS=${SB_ARGS:-}

if [ -z "${RECORDING_BENCH_INSIDE:-}" ]; then
  # Outside the namespace: build (restore needs the package registry).
  dotnet build -c Release "$ROOT/src/Switchboard.Server" >/dev/null
  dotnet build -c Release "$ROOT/bench/Switchboard.MediaLoad" >/dev/null
  LOOPBACK_RUN=${LOOPBACK_RUN:-$ROOT/tools/loopback-run}
  exec "$LOOPBACK_RUN" env RECORDING_BENCH_INSIDE=1 SCENARIOS="$SCENARIOS" DURATION="$DURATION" WARMUP="$WARMUP" \
    VIDEO_KBPS="$VIDEO_KBPS" RUNS="$RUNS" MODES="$MODES" CHROMIUM="$CHROMIUM" SB_ARGS="$SB_ARGS" \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 bash "$0"
fi

ulimit -n 65536 2>/dev/null || true
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
server_dll="$ROOT/src/Switchboard.Server/bin/Release/net10.0/switchboard.dll"
load="$ROOT/bench/Switchboard.MediaLoad/bin/Release/net10.0/Switchboard.MediaLoad.dll"
http_port=18080

status=0
run=0
for _ in $(seq "$RUNS"); do
  for scenario in $SCENARIOS; do
    IFS=: read -r name publishers subscribers <<<"$scenario"
    for mode in $MODES; do
      run=$((run + 1))
      data="$work/data-$run"
      # Limits wide enough for the scenario, as media-sfu.sh sets them (the Chromium recorder is one more participant).
      # shellcheck disable=SC2086 # SB_ARGS is a list of arguments
      dotnet "$server_dll" all --Http:Urls=http://127.0.0.1:$http_port --Server:DataDirectory="$data" \
        --Turn:Enabled=false --Media:UdpPort=17882 --Media:TcpPort=17881 --Signaling:AllowAnonymous=true \
        --Signaling:MaxParticipantsPerRoom=$((publishers + subscribers + 10)) \
        --Signaling:MaxConnectionsPerAddress=$((publishers + subscribers + 10)) \
        --Media:Sfu:MaxPublishersPerRoom=$((publishers > 25 ? publishers : 25)) \
        --Media:Sfu:MaxSubscriptionsPerParticipant=$((2 * publishers > 100 ? 2 * publishers : 100)) \
        --Logging:LogLevel:Default=Warning $SB_ARGS > "$work/server-$run.log" 2>&1 &
      server=$!
      for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done
      if ! curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null; then
        echo "$name $mode: Switchboard did not start:"; cat "$work/server-$run.log"; exit 1
      fi
      extra=()
      case "$mode" in
        plain) ;;
        record)
          # The token is signed with the key the server keeps in its data directory.
          token=$(dotnet "$server_dll" token create --identity bench --admin --Server:DataDirectory="$data")
          extra=(--record-token "$token") ;;
        chromium) extra=(--chromium-recorder "$CHROMIUM") ;;
        *) echo "unknown mode $mode (plain, record, chromium)"; exit 2 ;;
      esac
      echo "== $name $mode: $publishers publishers x $subscribers subscribers, ${DURATION} s measured"
      rc=0
      dotnet "$load" --target sfu --url "http://127.0.0.1:$http_port" --room "$name" --publishers "$publishers" \
        --subscribers "$subscribers" --duration "$DURATION" --warmup "$WARMUP" --video-kbps "$VIDEO_KBPS" \
        --server-pid "$server" "${extra[@]}" > "$work/out-$run.txt" || rc=$?
      kill "$server"; wait "$server" 2>/dev/null || true
      tail -n +2 "$work/out-$run.txt"
      head -n 1 "$work/out-$run.txt" | grep '^{' | sed "s/^{/{\"scenario\":\"$name\",\"mode\":\"$mode\",/" >> "$work/results.jsonl" || true
      if [ "$mode" = record ]; then
        echo "files written:"; (cd "$data" && find recordings -type f -printf '  %p %s bytes\n' 2>/dev/null | sort) || true
      fi
      if [ "$rc" -ne 0 ]; then
        status=1
        echo "$name $mode: the load tool exited with $rc; server log (warnings and errors):"
        tail -n 40 "$work/server-$run.log"
      fi
      rm -rf "$data"
    done
  done
done

python3 - "$work/results.jsonl" "$DURATION" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
def med(values):
    v = [x for x in values if isinstance(x, (int, float))]
    return statistics.median(v) if v else float("nan")
print()
print(f"{'scenario':<10}{'mode':<10}{'pub x sub':>10}{'forwarded/s':>13}{'loss %':>8}{'p50 ms':>8}{'p99 ms':>8}{'server cores':>14}{'RSS MiB':>9}")
for name in dict.fromkeys(r["scenario"] for r in rows):
    by_mode = {}
    for mode in dict.fromkeys(r["mode"] for r in rows if r["scenario"] == name):
        rs = [r for r in rows if r["scenario"] == name and r["mode"] == mode]
        by_mode[mode] = rs
        r0 = rs[0]
        print(f"{name:<10}{mode:<10}{str(r0['publishersConnected'])+'x'+str(r0['subscribersConnected']):>10}"
              f"{med(r['forwardedPerSecond'] for r in rs):>13.0f}{med(r['lossPercent'] for r in rs):>8.3f}"
              f"{med(r['latencyP50Ms'] for r in rs):>8.2f}{med(r['latencyP99Ms'] for r in rs):>8.2f}"
              f"{med(r['serverCoresUsed'] for r in rs):>14.3f}{med(r['serverRssMiB'] for r in rs):>9.1f}")
    plain, record, chrome = by_mode.get("plain"), by_mode.get("record"), by_mode.get("chromium")
    recs = [r["recording"] for r in (record or []) if r.get("recording")]
    if recs:
        for rec in recs:
            durations = [f["durationSeconds"] for f in rec["fileList"]]
            far = [f["name"] for f in rec["fileList"] if abs(f["durationSeconds"] - rec["recordedSeconds"]) > 1.0]
            print(f"{name}: recording {rec['id']} {rec['state']}: {rec['files']} files ({rec['audioFiles']} audio, {rec['videoFiles']} video), "
                  f"{rec['bytes']:,} bytes ({rec['bytesPerSecond'] * 8 / 1000:.0f} kbit/s), durations {min(durations):.2f}-{max(durations):.2f} s "
                  f"for {rec['recordedSeconds']:.2f} s recorded (window {sys.argv[2]} s); stop answered in {rec['stopSeconds']:.2f} s; "
                  + ("every file within 1 s of the recorded time" if not far else f"more than 1 s off: {', '.join(far)}"))
    if plain and recs:
        tracks = med(rec["files"] for rec in recs)
        diff = med(r["serverCoresUsed"] for r in record) - med(r["serverCoresUsed"] for r in plain)
        print(f"{name}: server cores with recording - without = {diff:+.3f} over {tracks:.0f} recorded tracks = "
              f"{100 * diff / tracks:+.2f} % of a core per recorded track; p99 {med(r['latencyP99Ms'] for r in plain):.2f} -> "
              f"{med(r['latencyP99Ms'] for r in record):.2f} ms")
    for r in chrome or []:
        c = r.get("chromiumRecorder")
        if not c:
            print(f"{name}: the Chromium recorder did not report"); continue
        print(f"{name}: one Chromium recorder: {c['coresUsed']:.3f} cores ({100 * c['coresUsed']:.1f} % of a core, {c['processes']} processes), "
              f"{c['decodingVideos']}/{c['videos']} videos decoding at {c['framesDecodedPerSecond']} frames/s in all ({c['keyFramesDecoded']} key frames, "
              f"{c['framesDroppedPerSecond']} dropped/s, {c['pliSent']} PLIs sent), {c['audios']} audio streams, "
              f"{c['receivedKbps']} kbit/s received, {c['published']} streams published; the server's cores in that run "
              f"{r['serverCoresUsed']:.3f} (one more subscriber)")
print("(server cores = the server's CPU seconds per second over the window; medians over RUNS)")
PY
exit $status
