// "Test my connection": publishes camera and microphone to POST /api/echo and shows what the media server sends back.
// The page keeps its measurements in window.connectionTest for automated checks.

const $ = (id) => document.getElementById(id);
const result = (window.connectionTest = { state: 'idle', error: null, transport: null, dtlsVersion: null, srtpCipher: null,
  roundTripMs: null, videoFramesDecoded: 0, videoBytesReceived: 0, audioBytesReceived: 0, frameWidth: 0, frameHeight: 0 });

async function run() {
  $('start-test').disabled = true;
  setState('getting camera and microphone');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  } catch (e) {
    return fail(`Camera or microphone not available: ${e.message}`);
  }
  $('sent').srcObject = stream;
  const pc = (window.connectionTestPeer = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' }));
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
  const echoed = new MediaStream();
  pc.ontrack = (event) => { echoed.addTrack(event.track); $('echoed').srcObject = echoed; };
  pc.onconnectionstatechange = () => {
    setState(pc.connectionState);
    if (pc.connectionState === 'failed') fail('The media server could not be reached: UDP and TCP to its media ports are blocked, or it announced an address this network cannot reach.');
  };
  setState('connecting');
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch('/api/echo', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (response.status !== 201) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail ?? detail; } catch { /* not JSON */ }
    return fail(`The server refused the test (${response.status}): ${detail}`);
  }
  result.session = response.headers.get('Location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  setInterval(() => measure(pc), 1000);
  // ICE restart (after a network change): a new offer with new credentials, answered through PATCH on the session.
  window.connectionTestRestartIce = async () => {
    pc.restartIce();
    await pc.setLocalDescription(await pc.createOffer());
    const restarted = await fetch(result.session, { method: 'PATCH', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (!restarted.ok) throw new Error(`ICE restart refused: ${restarted.status}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: await restarted.text() });
  };
  addEventListener('pagehide', () => fetch(result.session, { method: 'DELETE', keepalive: true }));
}

async function measure(pc) {
  const stats = await pc.getStats();
  let transport, pair, local, video, audio;
  stats.forEach((s) => {
    if (s.type === 'transport') transport = s;
    if (s.type === 'inbound-rtp' && s.kind === 'video') video = s;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') audio = s;
  });
  if (transport?.selectedCandidatePairId) pair = stats.get(transport.selectedCandidatePairId);
  if (pair) local = stats.get(pair.localCandidateId);
  const remote = pair && stats.get(pair.remoteCandidateId);
  Object.assign(result, {
    transport: remote ? remote.protocol : null,
    dtlsVersion: transport?.tlsVersion ?? null,
    srtpCipher: transport?.srtpCipher ?? null,
    roundTripMs: pair?.currentRoundTripTime != null ? Math.round(pair.currentRoundTripTime * 1000) : null,
    availableOutgoingBitrate: pair?.availableOutgoingBitrate ?? null,
    selectedCandidatePairChanges: transport?.selectedCandidatePairChanges ?? 0,
    videoFramesDecoded: video?.framesDecoded ?? 0,
    videoBytesReceived: video?.bytesReceived ?? 0,
    audioBytesReceived: audio?.bytesReceived ?? 0,
    frameWidth: video?.frameWidth ?? 0,
    frameHeight: video?.frameHeight ?? 0,
  });
  $('r-transport').textContent = remote ? `${remote.protocol.toUpperCase()} to ${remote.address}:${remote.port}${local?.relayProtocol ? ' via TURN' : ''}` : '-';
  $('r-dtls').textContent = transport?.tlsVersion ? `DTLS ${transport.tlsVersion === 'FEFD' ? '1.2' : transport.tlsVersion}, ${transport.srtpCipher}` : '-';
  $('r-rtt').textContent = result.roundTripMs != null ? `${result.roundTripMs} ms` : '-';
  $('r-bandwidth').textContent = result.availableOutgoingBitrate ? `${(result.availableOutgoingBitrate / 1e6).toFixed(2)} Mbit/s` : '-';
  $('r-video').textContent = video ? `${result.videoFramesDecoded} frames, ${result.frameWidth}x${result.frameHeight}` : '-';
  $('r-audio').textContent = audio ? `${Math.round(result.audioBytesReceived / 1024)} KiB` : '-';
  if (result.videoFramesDecoded > 0 || result.audioBytesReceived > 0) {
    result.state = 'passed';
    showVerdict(`Your network reaches the media server over ${result.transport?.toUpperCase() ?? '?'}: your video and audio came back.`, false);
  }
}

function setState(state) {
  if (result.state !== 'failed' && result.state !== 'passed') result.state = state;
  $('r-state').textContent = state;
}

function fail(message) {
  result.state = 'failed';
  result.error = message;
  $('r-state').textContent = 'failed';
  showVerdict(message, true);
  $('start-test').disabled = false;
}

function showVerdict(message, isError) {
  const verdict = $('verdict');
  verdict.hidden = false;
  verdict.textContent = message;
  verdict.dataset.result = isError ? 'failed' : 'passed';
}

$('start-test').addEventListener('click', run);
if (new URLSearchParams(location.search).has('auto')) run();
