// The room data bus's frame inside a data channel message (docs/media.md, "Data channels"): version 1, flags, the
// topic, participant ids (from the client: recipients, none for everyone; from the server: the sender, none for
// server code), then the payload.

export const PROTOCOL = 'switchboard-data/1';

export const Flags = { text: 1, serverOnly: 2, payloadFollows: 4, notice: 8 };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** @param {number} flags @param {string} topic @param {string[]} ids @param {Uint8Array | null} payload (null: payload follows) */
export function encodeFrame(flags, topic, ids, payload) {
  const parts = [encoder.encode(topic), ...ids.map((id) => encoder.encode(id))];
  if (parts.some((p) => p.length > 255) || ids.length > 255) throw new RangeError('topic and ids are at most 255 bytes, and at most 255 ids');
  const header = 3 + parts[0].length + 1 + parts.slice(1).reduce((n, p) => n + 1 + p.length, 0);
  const frame = new Uint8Array(header + (payload?.length ?? 0));
  frame[0] = 1;
  frame[1] = flags;
  let offset = 2;
  const put = (bytes) => { frame[offset++] = bytes.length; frame.set(bytes, offset); offset += bytes.length; };
  put(parts[0]);
  frame[offset++] = ids.length;
  for (const id of parts.slice(1)) put(id);
  if (payload) frame.set(payload, offset);
  return frame;
}

/** @param {ArrayBuffer} buffer @returns {{ flags: number, topic: string, ids: string[], payload: Uint8Array }} */
export function decodeFrame(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 4 || bytes[0] !== 1) throw new Error('not a data frame of version 1');
  let offset = 2;
  const take = () => {
    const length = bytes[offset];
    if (offset + 1 + length > bytes.length) throw new Error('data frame truncated');
    const value = decoder.decode(bytes.subarray(offset + 1, offset + 1 + length));
    offset += 1 + length;
    return value;
  };
  const topic = take();
  if (offset >= bytes.length) throw new Error('data frame truncated');
  const ids = [];
  for (let count = bytes[offset++]; count > 0; count--) ids.push(take());
  return { flags: bytes[1], topic, ids, payload: bytes.subarray(offset) };
}

/** string -> UTF-8 bytes; ArrayBuffer or a view -> its bytes. */
export function payloadBytes(data) {
  if (typeof data === 'string') return { bytes: encoder.encode(data), text: true };
  if (data instanceof ArrayBuffer) return { bytes: new Uint8Array(data), text: false };
  if (ArrayBuffer.isView(data)) return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), text: false };
  throw new TypeError('data must be a string, an ArrayBuffer or a typed array');
}

export const textOf = (bytes) => decoder.decode(bytes);
