// The watch page: plays a room by WHEP; when WHEP is refused or its connection fails (or &hls asks for it), by the
// room's HLS playlist (/hls/{room}/index.m3u8) if the server serves one, with hls.js where the browser has Media Source
// Extensions and by itself otherwise; waits while nothing is published.
import { $, close, headers, idle, notice, open, params, roomPath, run, show, state } from './whip-whep.js';

let retry = null;
let hlsPlayer = null;

async function start() {
  if (params.has('hls')) return fallBack(null);
  show('connecting');
  const played = new MediaStream();
  const pc = new RTCPeerConnection();
  // The video gets its stream with the first track: an empty one would hold the page's load event until media came.
  pc.addEventListener('track', event => {
    played.addTrack(event.track);
    if ($('video').srcObject !== played) {
      $('video').srcObject = played;
      play();
    }
  });
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') { show('playing'); notice(''); }
    else if (pc.connectionState === 'failed') close().then(() => fallBack('the WebRTC connection failed')).catch(e => notice(String(e)));
  });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const refused = await open(pc);
  if (refused) return fallBack(refused.message, refused);
  state.mode = 'whep';
}

// A page opened with &start has had no click: browsers play sound only after one, so it starts muted.
const play = () => $('video').play().catch(() => { $('video').muted = true; return $('video').play(); }).catch(() => {});

async function fallBack(reason, refused) {
  const playlist = `${roomPath('/hls')}/index.m3u8`;
  const hls = await fetch(playlist, { headers: headers() }).then(r => r.ok, () => false);
  if (hls) {
    // hls.js is loaded only for HLS: WHEP viewers never fetch it.
    const { default: Hls } = await import('./vendor/hls.js/hls.light.min.mjs');
    $('video').srcObject = null;
    if (Hls.isSupported() || $('video').canPlayType('application/vnd.apple.mpegurl')) {
      notice(reason ? `WebRTC playback is not available (${reason}): playing the HLS stream instead.` : '');
      playHls(Hls, playlist);
      show('playing (HLS)');
      state.mode = 'hls';
      return play();
    }
    state.mode = 'hls';
    show('not playing');
    return notice(`WebRTC playback is not available (${reason}). This room is also served as HLS at ${new URL(playlist, location.href)}, `
      + 'which this browser does not play by itself: open it in a player that does (Safari, VLC, ffplay).');
  }
  if (refused?.status === 409 && refused.retryAfter) {
    // Nothing is published yet: try again when the server says.
    show('waiting');
    notice(`Nothing is live in this room yet; trying again in ${refused.retryAfter} s.`);
    retry = setTimeout(() => start().catch(e => notice(String(e))), refused.retryAfter * 1000);
    return;
  }
  show('not playing');
  notice(reason === null ? 'This room is not served as HLS now.'
    : refused?.status === 401 ? `${reason} Paste a token with the subscribe grant in the Token field.` : reason);
  idle(true);
}

/** Plays a playlist with hls.js (it says which player in state.player), or natively where the browser has no MSE (iOS). */
function playHls(Hls, playlist) {
  state.hls = playlist;
  if (!Hls.isSupported()) {
    state.player = 'native';
    $('video').src = playlist;
    return;
  }
  state.player = 'hls.js';
  // No worker: the page's Content-Security-Policy allows scripts from the server alone.
  hlsPlayer = new Hls({ enableWorker: false, lowLatencyMode: true });
  hlsPlayer.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) notice(`${$('notice').textContent} The HLS stream failed: ${data.details}.`.trim()); });
  hlsPlayer.loadSource(playlist);
  hlsPlayer.attachMedia($('video'));
}

async function stop() {
  clearTimeout(retry);
  hlsPlayer?.destroy();
  hlsPlayer = null;
  await close();
  $('video').srcObject = null;
  $('video').removeAttribute('src');
  state.mode = null;
  show('stopped');
}

run(start, stop);
