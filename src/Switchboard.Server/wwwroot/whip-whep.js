// WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) with nothing but fetch and RTCPeerConnection, and what the go-live
// page (live.js) and the watch page (watch.js) share: the room and token from the address or the page's fields, the
// page's state for tests (window.whipWhep), the session's POST, ICE restart and DELETE, and the Start/Stop buttons.
const params = new URLSearchParams(location.search);
export const $ = id => document.getElementById(id);
export { params };

// The token leaves the address at once, as on the room page (docs/security.md, "The token in the address").
if (params.has('token')) {
  const rest = new URLSearchParams(params);
  rest.delete('token');
  history.replaceState(null, '', `${location.pathname}?${rest}`);
}
$('room').value = params.get('room') ?? '';
$('token').value = params.get('token') ?? '';

export const state = window.whipWhep = {
  kind: document.body.dataset.kind, pc: null, resource: null, etag: null, iceServers: [], error: null, state: 'not started',
};

const room = () => $('room').value.trim();
const token = () => $('token').value.trim();

export function notice(text) {
  state.error = text || null;
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

/** What the page shows as its state: `not started`, `connecting`, `live`/`playing`, `stopped`... */
export function show(text) {
  state.state = text;
  $('state').textContent = text;
}

// RFC 9725 §4.6: Link: <turn:host:3478?transport=udp>; rel="ice-server"; username="u"; credential="c"
function iceServersOf(response) {
  const servers = [];
  for (const link of (response.headers.get('Link') ?? '').split(/,(?=\s*<)/)) {
    const url = /<([^>]+)>/.exec(link)?.[1];
    if (!url || !/;\s*rel="ice-server"/.test(link)) continue;
    const param = name => new RegExp(`;\\s*${name}="([^"]*)"`).exec(link)?.[1];
    servers.push({ urls: url, username: param('username'), credential: param('credential') });
  }
  return servers;
}

export function headers(contentType) {
  const h = contentType ? { 'Content-Type': contentType } : {};
  if (token()) h.Authorization = `Bearer ${token()}`;
  return h;
}

/** The room's path under a prefix (`/whip`, `/hls`...). */
export const roomPath = prefix => `${prefix}/${encodeURIComponent(room())}`;

/**
 * POSTs the offer of `pc` (made by the page, its transceivers added) and sets the answer. Returns null when the session
 * is made, or the refusal: `{ status, message, retryAfter }` (seconds, or null).
 */
export async function open(pc) {
  state.pc = pc;
  pc.addEventListener('connectionstatechange', () => { $('connection').textContent = pc.connectionState; });
  await pc.setLocalDescription(await pc.createOffer());
  // The server is ICE-lite: it learns this page's addresses from its checks, so the offer goes without waiting for candidates.
  const response = await fetch(roomPath(`/${state.kind}`), { method: 'POST', headers: headers('application/sdp'), body: pc.localDescription.sdp });
  if (response.status !== 201) {
    pc.close();
    state.pc = null;
    const retryAfter = Number(response.headers.get('Retry-After')) || null;
    return { status: response.status, message: `${response.status}: ${(await response.text()).trim()}`, retryAfter };
  }
  state.resource = new URL(response.headers.get('Location'), location.href).href;
  state.etag = response.headers.get('ETag');
  state.iceServers = iceServersOf(response);
  pc.setConfiguration({ iceServers: state.iceServers });
  $('session').textContent = state.resource;
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  $('restart').hidden = false;
  return null;
}

const line = (sdp, name) => new RegExp(`^a=${name}:(.*)$`, 'm').exec(sdp)?.[1]?.trim();

// ICE restart (RFC 9725 §4.3.2): the new credentials go in a PATCH; the answer fragment's replace the server's.
async function restartIce() {
  const pc = state.pc;
  pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription.sdp;
  const firstSection = /^m=.*$/m.exec(offer)[0];
  const fragment = `a=ice-ufrag:${line(offer, 'ice-ufrag')}\r\na=ice-pwd:${line(offer, 'ice-pwd')}\r\n${firstSection}\r\na=mid:${line(offer, 'mid')}\r\n`;
  const response = await fetch(state.resource, {
    method: 'PATCH', headers: { ...headers('application/trickle-ice-sdpfrag'), 'If-Match': '*' }, body: fragment,
  });
  if (response.status !== 200) throw new Error(`ICE restart: ${response.status}: ${(await response.text()).trim()}`);
  state.etag = response.headers.get('ETag');
  const answer = await response.text();
  const sdp = pc.remoteDescription.sdp
    .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${line(answer, 'ice-ufrag')}`)
    .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${line(answer, 'ice-pwd')}`);
  await pc.setRemoteDescription({ type: 'answer', sdp });
  state.restarts = (state.restarts ?? 0) + 1;
}
state.restartIce = restartIce;

/** Ends the session (DELETE) and the peer connection, if any. */
export async function close() {
  const resource = state.resource;
  state.resource = null;
  state.pc?.close();
  state.pc = null;
  $('restart').hidden = true;
  if (resource) await fetch(resource, { method: 'DELETE', headers: headers() });
}

/** Shows Start (and lets the fields be changed) when `idle`, else Stop. */
export function idle(isIdle) {
  $('start').hidden = !isIdle;
  $('stop').hidden = isIdle;
  for (const input of document.querySelectorAll('main input')) input.disabled = !isIdle;
}

/** Wires the Start, Stop and Restart ICE buttons to the page's start and stop; `&start` starts without a click. */
export function run(start, stop) {
  const guarded = action => () => action().catch(e => notice(String(e)));
  const begin = guarded(async () => {
    notice('');
    if (!room()) return notice('Name the room.');
    idle(false);
    await start();
  });
  $('start').addEventListener('click', begin);
  $('stop').addEventListener('click', guarded(async () => {
    await stop();
    idle(true);
  }));
  $('restart').addEventListener('click', guarded(restartIce));
  if (params.has('start')) begin();
}
