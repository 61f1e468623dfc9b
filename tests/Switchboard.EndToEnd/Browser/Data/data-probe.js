// Installed in a room page by the data channel tests: window.dataProbe sends messages whose bytes follow from their
// topic, and checks every message it receives against its topic, so any browser (Chromium, Firefox) reports the same
// way. Topic: "m|<sender>|<n>|<size>|<text or bin>"; payload byte k = (k * 31 + n * 7 + sender length) & 0x7f.
(() => {
  const room = window.switchboard.room;
  const payload = (sender, n, size, text) => {
    const bytes = new Uint8Array(size);
    for (let k = 0; k < size; k++) bytes[k] = (k * 31 + n * 7 + sender.length) & 0x7f;
    return text ? new TextDecoder().decode(bytes) : bytes;
  };
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const probe = {
    received: [],
    file: null,
    fileChunks: [],
    async send(count, sizes, options = {}) {
      const me = room.localParticipant.id;
      let n = 0;
      for (const size of sizes) {
        for (const text of [true, false]) {
          for (let i = 0; i < count; i++, n++) {
            await room.sendData(payload(me, n, size, text), { ...options, topic: `m|${me}|${n}|${size}|${text ? 'text' : 'bin'}|${options.reliable === false ? 'lossy' : 'reliable'}` });
          }
        }
      }
      return n;
    },
    async sendFile(to, size, chunk) {
      const data = new Uint8Array(size);
      crypto.getRandomValues(data.subarray(0, Math.min(size, 65536)));
      for (let i = 65536; i < size; i++) data[i] = data[i % 65536] ^ (i >> 16);
      for (let offset = 0; offset < size; offset += chunk) await room.sendData(data.subarray(offset, offset + chunk), { to, topic: 'file' });
      await room.sendData('done', { to, topic: 'file-end' });
      return hex(await crypto.subtle.digest('SHA-256', data));
    },
  };
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  room.addEventListener('data', async ({ detail: { from, topic, data, reliable } }) => {
    if (topic === 'file') return probe.fileChunks.push(new Uint8Array(data));
    if (topic === 'file-end') {
      const size = probe.fileChunks.reduce((n, c) => n + c.length, 0);
      const all = new Uint8Array(size);
      let offset = 0;
      for (const c of probe.fileChunks) { all.set(c, offset); offset += c.length; }
      probe.file = { size, sha256: hex(await crypto.subtle.digest('SHA-256', all)) };
      return;
    }
    const [kind, sender, n, size, type, delivery] = topic.split('|');
    if (kind !== 'm') return;
    const text = type === 'text';
    const expected = payload(sender, Number(n), Number(size), text);
    const ok = from?.id === sender && typeof data === (text ? 'string' : 'object') && reliable === (delivery === 'reliable')
      && (text ? data === expected : same(new Uint8Array(data), expected));
    probe.received.push({ topic, ok });
  });
  window.dataProbe = probe;
})();
