// WHIP (RFC 9725) publishing and WHEP playing with nothing but fetch and RTCPeerConnection: the page a browser
// publisher or viewer needs, and what tests drive (window.whipWhep). The page's <body data-kind> says which.
const kind = document.body.dataset.kind;
const params = new URLSearchParams(location.search);
const room = params.get('room') ?? '';
const token = params.get('token');
// The token leaves the address at once, as on the room page (docs/security.md, "The token in the address").
if (token) {
  const rest = new URLSearchParams(params);
  rest.delete('token');
  history.replaceState(null, '', `${location.pathname}?${rest}`);
}
const $ = id => document.getElementById(id);
const state = window.whipWhep = { kind, pc: null, resource: null, etag: null, iceServers: [], error: null };

$('room').textContent = room;

function notice(text) {
  state.error = text;
  $('notice').textContent = text;
  $('notice').hidden = !text;
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

function headers(contentType) {
  const h = { 'Content-Type': contentType };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function start() {
  notice('');
  $('start').hidden = true;
  const pc = state.pc = new RTCPeerConnection();
  pc.onconnectionstatechange = () => { $('state').textContent = pc.connectionState; };
  if (kind === 'whip') {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $('video').srcObject = stream;
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
    // Simulcast (RFC 8853): layers low to high, as the media server reads them.
    const sendEncodings = params.has('simulcast')
      ? [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 }, { rid: 'f', maxBitrate: 1_500_000 }]
      : undefined;
    pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings });
  } else {
    const played = new MediaStream();
    $('video').srcObject = played;
    pc.ontrack = event => played.addTrack(event.track);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
  }
  await pc.setLocalDescription(await pc.createOffer());
  // The server is ICE-lite: it learns this page's addresses from its checks, so the offer goes without waiting for candidates.
  const response = await fetch(`/${kind}/${encodeURIComponent(room)}`, { method: 'POST', headers: headers('application/sdp'), body: pc.localDescription.sdp });
  if (response.status !== 201) {
    notice(`${response.status}: ${(await response.text()).trim()}`);
    pc.close();
    $('start').hidden = false;
    return;
  }
  state.resource = new URL(response.headers.get('Location'), location.href).href;
  state.etag = response.headers.get('ETag');
  state.iceServers = iceServersOf(response);
  pc.setConfiguration({ iceServers: state.iceServers });
  $('session').textContent = state.resource;
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  $('stop').hidden = false;
  $('restart').hidden = false;
  // A page opened with &start has had no click: browsers play sound only after one, so it starts muted.
  await $('video').play().catch(() => { $('video').muted = true; return $('video').play(); }).catch(() => {});
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

async function stop() {
  if (state.resource) await fetch(state.resource, { method: 'DELETE', headers: token ? { Authorization: `Bearer ${token}` } : {} });
  state.pc?.close();
  state.resource = null;
  $('state').textContent = 'stopped';
  $('stop').hidden = true;
  $('restart').hidden = true;
  $('start').hidden = false;
}

$('start').addEventListener('click', () => start().catch(e => notice(String(e))));
$('stop').addEventListener('click', () => stop().catch(e => notice(String(e))));
$('restart').addEventListener('click', () => restartIce().catch(e => notice(String(e))));
if (params.has('start')) start().catch(e => notice(String(e)));
