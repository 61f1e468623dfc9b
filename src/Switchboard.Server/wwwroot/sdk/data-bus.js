// The room's data bus over two data channels to the media server (sfu rooms): reliable (ordered) and lossy
// (unordered, never retransmitted). Used by Room.sendData and Room's `data` event (docs/sdk.md, "Data").
import { PROTOCOL, Flags, encodeFrame, decodeFrame, payloadBytes, textOf } from './data-frame.js';

/** Above this many bytes waiting in a channel, reliable sends wait for it to drain; lossy ones are dropped. */
const HIGH_WATER = 1024 * 1024;

export class DataBus {
  /**
   * @param {RTCPeerConnection} pc
   * @param {(message: { participantId: string | null, topic: string, data: string | ArrayBuffer, reliable: boolean }) => void} onData
   * @param {(notice: { code: string, message: string }) => void} onNotice
   */
  constructor(pc, onData, onNotice) {
    this.pc = pc;
    this.reliable = pc.createDataChannel('switchboard', { protocol: PROTOCOL });
    this.lossy = pc.createDataChannel('switchboard-lossy', { protocol: PROTOCOL, ordered: false, maxRetransmits: 0 });
    this._queue = Promise.resolve();
    for (const channel of [this.reliable, this.lossy]) {
      channel.binaryType = 'arraybuffer';
      channel.bufferedAmountLowThreshold = HIGH_WATER / 4;
      let header = null; // a frame whose payload is the next message (reliable channel)
      channel.onmessage = ({ data }) => {
        if (header) {
          const frame = header;
          header = null;
          return this._deliver(frame, new Uint8Array(data), channel, onData);
        }
        let frame;
        try {
          frame = decodeFrame(data);
        } catch {
          return; // not from the server's bus
        }
        if (frame.flags & Flags.notice) return onNotice({ code: frame.topic, message: textOf(frame.payload) });
        if (frame.flags & Flags.payloadFollows) header = frame;
        else this._deliver(frame, frame.payload, channel, onData);
      };
    }
  }

  _deliver(frame, payload, channel, onData) {
    const data = frame.flags & Flags.text ? textOf(payload) : payload.slice().buffer;
    onData({ participantId: frame.ids[0] ?? null, topic: frame.topic, data, reliable: channel === this.reliable });
  }

  /**
   * Queues a message; resolves once the browser took it (reliable messages wait while much is buffered).
   * @param {string | ArrayBuffer | ArrayBufferView} data
   * @param {{ to?: string[] | string, reliable?: boolean, topic?: string }} options to: participant ids, or 'server'
   */
  send(data, { to, reliable = true, topic = '' } = {}) {
    const { bytes, text } = payloadBytes(data);
    if (Array.isArray(to) && to.length === 0) return Promise.resolve(); // nobody to send to (not everyone)
    const serverOnly = to === 'server';
    const ids = serverOnly || to === undefined ? [] : Array.isArray(to) ? to : [to];
    const flags = (text ? Flags.text : 0) | (serverOnly ? Flags.serverOnly : 0);
    const channel = reliable ? this.reliable : this.lossy;
    const send = async () => {
      await opened(channel);
      const max = this.pc.sctp?.maxMessageSize || 65536;
      const whole = encodeFrame(flags, topic, ids, bytes);
      if (!reliable) {
        if (whole.length > max) throw new RangeError(`a lossy message has at most ${max} bytes with its frame`);
        if (channel.bufferedAmount <= HIGH_WATER) channel.send(whole);
        return;
      }
      if (bytes.length > max) throw new RangeError(`a message has at most ${max} bytes (the server's a=max-message-size)`);
      if (channel.bufferedAmount > HIGH_WATER) await drained(channel);
      if (whole.length <= max) channel.send(whole);
      else {
        channel.send(encodeFrame(flags | Flags.payloadFollows, topic, ids, null));
        channel.send(bytes);
      }
    };
    // One message at a time, so that a frame and the payload after it stay together and order holds.
    const result = this._queue.then(send);
    this._queue = result.catch(() => {});
    return result;
  }

  close() {
    this.reliable.close();
    this.lossy.close();
  }
}

function opened(channel) {
  if (channel.readyState === 'open') return Promise.resolve();
  if (channel.readyState !== 'connecting') return Promise.reject(new Error(`the data channel is ${channel.readyState}`));
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', resolve, { once: true });
    channel.addEventListener('close', () => reject(new Error('the data channel closed')), { once: true });
  });
}

function drained(channel) {
  return new Promise((resolve, reject) => {
    channel.addEventListener('bufferedamountlow', resolve, { once: true });
    channel.addEventListener('close', () => reject(new Error('the data channel closed')), { once: true });
  });
}
