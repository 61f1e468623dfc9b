// The go-live page: publishes the camera or a screen (with the microphone) into a room by WHIP, shows its state, stops.
import { $, close, idle, notice, open, params, run, show, state } from './whip-whep.js';

if (params.get('source') === 'screen') $('source-screen').checked = true;

// Simulcast (RFC 8853, &simulcast): layers low to high, as the media server reads them.
const layers = [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 }, { rid: 'f', maxBitrate: 1_500_000 }];

async function capture(source) {
  if (source === 'camera') return navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
  // A screen goes with the microphone when there is one; without, it goes alone.
  const microphone = await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => null);
  return new MediaStream([...(microphone?.getAudioTracks() ?? []), ...screen.getVideoTracks()]);
}

async function start() {
  state.source = document.querySelector('input[name=source]:checked').value;
  show('capturing');
  const stream = state.stream = await capture(state.source);
  $('video').srcObject = stream;
  // Ending the share from the browser's own controls stops the broadcast.
  stream.getVideoTracks()[0].addEventListener('ended', () => $('stop').click());
  const pc = new RTCPeerConnection();
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'connected') show('live');
    else if (pc.connectionState === 'failed') { show('failed'); notice('The connection to the media server failed: stop and start again.'); }
  });
  for (const track of stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings: params.has('simulcast') ? layers : undefined });
  show('connecting');
  const refused = await open(pc);
  if (refused) {
    await stop();
    show('not live');
    notice(refused.status === 401 ? `${refused.message} Paste a token with the publish grant in the Token field.` : refused.message);
    idle(true);
  }
}

async function stop() {
  await close();
  state.stream?.getTracks().forEach(track => track.stop());
  state.stream = null;
  $('video').srcObject = null;
  show('stopped');
}

run(start, stop);
