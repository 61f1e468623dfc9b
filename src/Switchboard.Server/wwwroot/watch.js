// The watch page: plays a room by WHEP; when WHEP is refused or its connection fails, by the room's HLS playlist
// (/hls/{room}/index.m3u8) if the server serves one and the browser plays HLS itself; waits while nothing is published.
import { $, close, headers, idle, notice, open, roomPath, run, show, state } from './whip-whep.js';

let retry = null;

async function start() {
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
    state.mode = 'hls';
    state.hls = playlist;
    $('video').srcObject = null;
    if ($('video').canPlayType('application/vnd.apple.mpegurl')) {
      $('video').src = playlist;
      show('playing (HLS)');
      notice(`WebRTC playback is not available (${reason}): playing the HLS stream instead.`);
      return play();
    }
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
  notice(refused?.status === 401 ? `${reason} Paste a token with the subscribe grant in the Token field.` : reason);
  idle(true);
}

async function stop() {
  clearTimeout(retry);
  await close();
  $('video').srcObject = null;
  $('video').removeAttribute('src');
  state.mode = null;
  show('stopped');
}

run(start, stop);
