// The room page (/room/{name}): local and remote video in a grid, mute, camera, screen share, chat.
// Query parameters: name= (skip the name prompt), token= (an access token), relay=1 (TURN only).
import { Room } from '/sdk/switchboard.js';

const roomName = decodeURIComponent(location.pathname.split('/').pop());
const query = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
document.title = `${roomName} - Switchboard`;
$('room-title').textContent = roomName;

const room = new Room({ rtcConfig: query.get('relay') === '1' ? { iceTransportPolicy: 'relay' } : {} });
/** Everything the room reported, in order: what tests and curious users read (window.switchboard.events). */
const events = [];
window.switchboard = { room, events };
for (const type of ['connection-state', 'participant-joined', 'participant-left', 'participant-updated', 'track', 'message', 'error']) {
  room.addEventListener(type, (event) => events.push({ type, id: event.detail.participant?.id, detail: summarize(event.detail) }));
}

function summarize(detail) {
  const { participant, track, stream, ...rest } = detail;
  return { ...rest, participant: participant && { id: participant.id, name: participant.name, state: participant.state }, kind: track?.kind };
}

function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = false;
}

const state = { audio: true, video: true, screen: false };
let localStream = null;

// --- tiles ---

function tileFor(id, name, local = false) {
  let tile = document.querySelector(`.tile[data-id="${CSS.escape(id)}"]`);
  if (!tile) {
    tile = $('tile-template').content.firstElementChild.cloneNode(true);
    tile.dataset.id = id;
    tile.classList.toggle('local', local);
    tile.querySelector('video').muted = local;
    $('grid').append(tile);
  }
  tile.querySelector('.name').textContent = local ? `${name} (you)` : name;
  return tile;
}

function showState(tile, participantState) {
  tile.querySelector('.muted').hidden = participantState?.audio !== false;
  tile.classList.toggle('camera-off', participantState?.video === false);
}

room.addEventListener('participant-joined', ({ detail: { participant } }) => showState(tileFor(participant.id, participant.name), participant.state));
room.addEventListener('participant-updated', ({ detail: { participant } }) => showState(tileFor(participant.id, participant.name), participant.state));
room.addEventListener('participant-left', ({ detail: { participant } }) => document.querySelector(`.tile[data-id="${CSS.escape(participant.id)}"]`)?.remove());
room.addEventListener('track', ({ detail: { participant, stream } }) => {
  const video = tileFor(participant.id, participant.name).querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
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

room.addEventListener('message', ({ detail }) => {
  if (detail.data?.kind === 'chat' && typeof detail.data.text === 'string') addChat(detail.from.name ?? detail.from.id, detail.data.text);
});
$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text) return;
  room.send({ kind: 'chat', text });
  addChat('You', text);
  $('chat-input').value = '';
});

// --- controls ---

function toggle(button, pressed, pressedLabel, label) {
  button.setAttribute('aria-pressed', String(pressed));
  button.textContent = pressed ? pressedLabel : label;
}

$('mic').addEventListener('click', () => {
  state.audio = !state.audio;
  localStream?.getAudioTracks().forEach((t) => (t.enabled = state.audio));
  toggle($('mic'), !state.audio, 'Unmute', 'Mute');
  showState(document.querySelector('.tile.local'), state);
  room.setState({ ...state });
});

$('camera').addEventListener('click', () => {
  state.video = !state.video;
  localStream?.getVideoTracks().forEach((t) => (t.enabled = state.video));
  toggle($('camera'), !state.video, 'Camera on', 'Camera off');
  room.setState({ ...state });
});

let screenTrack = null;
async function stopScreenShare() {
  screenTrack?.stop();
  screenTrack = null;
  state.screen = false;
  toggle($('screen'), false, 'Stop sharing', 'Share screen');
  await room.replaceVideoTrack(null);
  room.setState({ ...state });
}
$('screen').addEventListener('click', async () => {
  if (screenTrack) return stopScreenShare();
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    screenTrack = display.getVideoTracks()[0];
    screenTrack.addEventListener('ended', stopScreenShare);
    await room.replaceVideoTrack(screenTrack);
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
    await room.join(roomName, { name, token: query.get('token') ?? undefined, state: { ...state } });
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
