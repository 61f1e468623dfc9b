// The room page (/room/{name}): local and remote video in a grid, mute, camera, screen share, chat.
// Query parameters: name= (skip the name prompt), token= (an access token), relay=1 (TURN only).
import { Room } from '/sdk/switchboard.js';

const roomName = decodeURIComponent(location.pathname.split('/').pop());
const query = new URLSearchParams(location.search);

// An access token in the link leaves the address bar and the history at once. This tab keeps it in its session storage,
// so that a reload still joins; the storage goes with the tab.
const tokenKey = `switchboard.token.${roomName}`;
if (query.has('token')) {
  sessionStorage.setItem(tokenKey, query.get('token'));
  query.delete('token');
  history.replaceState(history.state, '', `${location.pathname}${query.size ? `?${query}` : ''}${location.hash}`);
}
const token = sessionStorage.getItem(tokenKey) ?? undefined;
const $ = (id) => document.getElementById(id);
document.title = `${roomName} - Switchboard`;
$('room-title').textContent = roomName;

const room = new Room({ rtcConfig: query.get('relay') === '1' ? { iceTransportPolicy: 'relay' } : {} });
/** Everything the room reported, in order: what tests and curious users read (window.switchboard.events). */
const events = [];
window.switchboard = { room, events };
for (const type of ['connection-state', 'participant-joined', 'participant-left', 'participant-updated', 'track', 'track-ended',
  'track-muted', 'tracks', 'active-speakers', 'message', 'error', 'recording']) {
  room.addEventListener(type, (event) => events.push({ type, id: event.detail.participant?.id, detail: summarize(event.detail) }));
}
room.addEventListener('data', ({ detail: { from, topic, data, reliable } }) =>
  events.push({ type: 'data', id: from?.id ?? null, detail: { topic, reliable, size: typeof data === 'string' ? data.length : data.byteLength } }));

function summarize(detail) {
  const { participant, track, stream, speakers, ...rest } = detail;
  return {
    ...rest,
    participant: participant && { id: participant.id, name: participant.name, state: participant.state },
    kind: track?.kind,
    speakers: speakers?.map((s) => ({ id: s.participant.id, level: s.level })),
  };
}

// Consent: everyone sees while the room is recorded.
room.addEventListener('recording', ({ detail: { active } }) => { $('recording').hidden = !active; });

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = false;
}

const state = { audio: true, video: true, screen: false };
let localStream = null;

// --- tiles ---
// One tile per participant (data-id = participant id, "local" for this one) and, in sfu rooms, one per screen share
// (data-id = "<participant id>/screen"). Remote tiles tell the server how large they show the video (observeVideo).

const findTile = (id) => document.querySelector(`.tile[data-id="${CSS.escape(id)}"]`);
const stopObserving = new Map();

function tileFor(id, name, local = false, source = 'camera') {
  let tile = findTile(id);
  if (!tile) {
    tile = $('tile-template').content.firstElementChild.cloneNode(true);
    tile.dataset.id = id;
    tile.classList.toggle('local', local);
    tile.classList.toggle('screen', source === 'screen');
    const video = tile.querySelector('video');
    video.muted = local;
    $('grid').append(tile);
    if (!local) stopObserving.set(id, room.observeVideo(id.split('/')[0], source, video));
  }
  tile.querySelector('.name').textContent = local ? `${name} (you)` : source === 'screen' ? `${name} (screen)` : name;
  return tile;
}

function removeTile(id) {
  stopObserving.get(id)?.();
  stopObserving.delete(id);
  findTile(id)?.remove();
}

/** The muted badge: the participant's own state, or (sfu) the server's word that its microphone is muted. */
function showState(tile, participantState, participantId) {
  const micMuted = participantId !== undefined && room.tracks.get(`${participantId}/microphone`)?.muted === true;
  tile.querySelector('.muted').hidden = participantState?.audio !== false && !micMuted;
  tile.classList.toggle('camera-off', participantState?.video === false);
}

const showParticipant = ({ detail: { participant } }) => {
  showState(tileFor(participant.id, participant.name), participant.state, participant.id);
  const screen = findTile(`${participant.id}/screen`);
  if (screen) tileFor(`${participant.id}/screen`, participant.name, false, 'screen');
};
room.addEventListener('participant-joined', showParticipant);
room.addEventListener('participant-updated', showParticipant);
room.addEventListener('participant-left', ({ detail: { participant } }) => {
  removeTile(participant.id);
  removeTile(`${participant.id}/screen`);
});
room.addEventListener('track', ({ detail: { participant, stream, source } }) => {
  const screen = source === 'screen' || source === 'screen-audio';
  const tile = screen ? tileFor(`${participant.id}/screen`, participant.name, false, 'screen') : tileFor(participant.id, participant.name);
  const video = tile.querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
});
room.addEventListener('track-ended', ({ detail: { participant, source } }) => {
  if (source === 'screen') removeTile(`${participant.id}/screen`);
});
room.addEventListener('track-muted', ({ detail: { participant, source } }) => {
  const tile = findTile(participant.id);
  if (source === 'microphone' && tile && !tile.classList.contains('local')) showState(tile, participant.state, participant.id);
});
room.addEventListener('active-speakers', ({ detail: { speakers } }) => {
  const speaking = new Set(speakers.map((s) => s.participant.id));
  for (const tile of document.querySelectorAll('.tile')) {
    const id = tile.classList.contains('local') ? room.localParticipant?.id : tile.dataset.id;
    tile.classList.toggle('speaking', speaking.has(id));
  }
});
room.addEventListener('connection-state', ({ detail: { state: connection } }) => {
  $('connection').textContent = connection;
  $('connection').dataset.state = connection;
});
room.addEventListener('error', ({ detail }) => showNotice(`${detail.code}: ${detail.message}`));

// --- chat ---

function addChat(from, text) {
  const item = document.createElement('li');
  const who = document.createElement('b');
  who.textContent = from;
  item.append(who, document.createTextNode(text));
  $('chat-log').append(item);
  item.scrollIntoView({ block: 'end' });
}

// Chat is the data bus's 'chat' topic: through the media server's data channels in an sfu room, signaling in a p2p one.
room.addEventListener('data', ({ detail }) => {
  if (detail.topic === 'chat' && typeof detail.data === 'string') addChat(detail.from?.name ?? detail.from?.id ?? 'Server', detail.data);
});
$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text) return;
  room.sendData(text, { topic: 'chat' }).then(() => addChat('You', text), (error) => showNotice(`chat: ${error.message}`));
  $('chat-input').value = '';
});

// --- controls ---

function toggle(button, pressed, pressedLabel, label) {
  button.setAttribute('aria-pressed', String(pressed));
  button.textContent = pressed ? pressedLabel : label;
}

$('mic').addEventListener('click', () => {
  state.audio = !state.audio;
  room.mute('microphone', !state.audio);
  toggle($('mic'), !state.audio, 'Unmute', 'Mute');
  showState(document.querySelector('.tile.local'), state);
  room.setState({ ...state });
});

$('camera').addEventListener('click', () => {
  state.video = !state.video;
  room.mute('camera', !state.video);
  toggle($('camera'), !state.video, 'Camera on', 'Camera off');
  room.setState({ ...state });
});

let screenTrack = null;
async function stopScreenShare() {
  screenTrack?.stop();
  screenTrack = null;
  state.screen = false;
  toggle($('screen'), false, 'Stop sharing', 'Share screen');
  await room.publishScreen(null);
  room.setState({ ...state });
}
$('screen').addEventListener('click', async () => {
  if (screenTrack) return stopScreenShare();
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    screenTrack = display.getVideoTracks()[0];
    screenTrack.addEventListener('ended', stopScreenShare);
    await room.publishScreen(screenTrack);
    state.screen = true;
    toggle($('screen'), true, 'Stop sharing', 'Share screen');
    room.setState({ ...state });
  } catch (error) {
    showNotice(`Screen sharing did not start: ${error.message}`);
  }
});

$('leave').addEventListener('click', async () => {
  await room.leave();
  localStream?.getTracks().forEach((t) => t.stop());
  location.href = '/';
});

// --- start ---

async function askName() {
  const remembered = query.get('name') ?? '';
  if (remembered) return remembered;
  $('name-input').value = localStorage.getItem('switchboard.name') ?? '';
  $('name-dialog').showModal();
  await new Promise((resolve) => $('name-form').addEventListener('submit', resolve, { once: true }));
  const name = $('name-input').value.trim();
  localStorage.setItem('switchboard.name', name);
  return name;
}

async function start() {
  const name = await askName();
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    await room.publish(localStream);
  } catch (error) {
    showNotice(`Camera and microphone are not available (${error.name}): you can still see and hear the others. ` +
      'Allow camera and microphone access for this site and reload to be seen and heard.');
    state.audio = state.video = false;
  }
  const self = tileFor('local', name, true);
  self.querySelector('video').srcObject = localStream;
  showState(self, state);
  try {
    await room.join(roomName, { name, token, state: { ...state } });
  } catch (error) {
    $('connection').textContent = 'disconnected';
    $('connection').dataset.state = 'disconnected';
    if (error.code === 'unreachable') showNotice('Cannot reach the Switchboard server. Check that it is running and reload the page.');
    else if (error.code === 'token-required') showNotice('This server needs an access token to join. Ask for a link with ?token=..., ' +
      'create one with `switchboard token create --room ' + roomName + ' --identity you`, or start the server with ' +
      '--Signaling:AllowAnonymous=true to let anyone join (development).');
    else showNotice(`Could not join: ${error.code}: ${error.message}`);
  }
}

start();
