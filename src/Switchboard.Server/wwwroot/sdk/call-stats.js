// A compact summary of the media connection, from RTCPeerConnection.getStats() deltas between two calls: what Room
// sends as `stats` every few seconds (sfu rooms) and emits as its `stats` event (docs/signaling.md, "Call quality").

/** The server takes at most this many video tracks per summary. */
const MAX_VIDEO_TRACKS = 64;

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const max = (a, b) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

export class CallStats {
  /**
   * @param {RTCPeerConnection} pc
   * @param {(mid: string | undefined) => string | null} trackOfMid the id of the track a received section carries, or
   *   null when it is not to be counted (muted, or not a subscription)
   */
  constructor(pc, trackOfMid) {
    this.pc = pc;
    this._trackOfMid = trackOfMid;
    this._last = null;
  }

  /** The summary since the previous call; null the first time (it only sets the baseline). */
  async sample() {
    const report = await this.pc.getStats();
    const time = performance.now();
    const previous = this._last;
    this._last = { time, report };
    if (!previous) return null;
    const ms = Math.round(time - previous.time);
    if (ms < 1) return null;
    const delta = (stat, field) => Math.max(0, (stat[field] ?? 0) - (previous.report.get(stat.id)?.[field] ?? 0));
    const down = { bytes: 0, lost: 0, received: 0, jitter: undefined };
    const up = { bytes: 0, loss: undefined, jitter: undefined };
    const video = [];
    let transport;
    for (const stat of report.values()) {
      if (stat.type === 'inbound-rtp') {
        down.bytes += delta(stat, 'bytesReceived');
        down.lost += delta(stat, 'packetsLost');
        down.received += delta(stat, 'packetsReceived');
        if (typeof stat.jitter === 'number') down.jitter = max(down.jitter, stat.jitter * 1000);
        const track = stat.kind === 'video' && stat.framesDecoded > 0 ? this._trackOfMid(stat.mid) : null;
        if (track) video.push(videoEntry(track, stat, delta, ms));
      } else if (stat.type === 'outbound-rtp') {
        up.bytes += delta(stat, 'bytesSent');
      } else if (stat.type === 'remote-inbound-rtp') {
        if (typeof stat.fractionLost === 'number') up.loss = max(up.loss, Math.min(1, Math.max(0, stat.fractionLost)));
        if (typeof stat.jitter === 'number') up.jitter = max(up.jitter, stat.jitter * 1000);
      } else if (stat.type === 'transport' && stat.selectedCandidatePairId) {
        transport = stat;
      }
    }
    const pair = report.get(transport?.selectedCandidatePairId)
      ?? [...report.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
    const local = pair ? report.get(pair.localCandidateId) : undefined;
    const packets = down.lost + down.received;
    return {
      ms,
      cand: local?.candidateType,
      proto: local?.protocol,
      rtt: typeof pair?.currentRoundTripTime === 'number' ? round(pair.currentRoundTripTime * 1000) : undefined,
      aob: typeof pair?.availableOutgoingBitrate === 'number' ? Math.round(pair.availableOutgoingBitrate / 1000) : undefined,
      in: { kbps: Math.round(down.bytes * 8 / ms), loss: packets > 0 ? round(down.lost / packets, 4) : undefined, jit: down.jitter === undefined ? undefined : round(down.jitter) },
      out: { kbps: Math.round(up.bytes * 8 / ms), loss: up.loss === undefined ? undefined : round(up.loss, 4), jit: up.jitter === undefined ? undefined : round(up.jitter) },
      video: video.slice(0, MAX_VIDEO_TRACKS),
    };
  }
}

/** A received video track over the interval: decoded frames per second, size, and freezes (Chromium counts them). */
function videoEntry(track, stat, delta, ms) {
  return {
    track,
    fps: Math.min(1000, round(delta(stat, 'framesDecoded') * 1000 / ms)),
    w: stat.frameWidth,
    h: stat.frameHeight,
    frz: stat.freezeCount === undefined ? undefined : delta(stat, 'freezeCount'),
    frzMs: stat.totalFreezesDuration === undefined ? undefined : Math.min(ms, Math.round(delta(stat, 'totalFreezesDuration') * 1000)),
  };
}
