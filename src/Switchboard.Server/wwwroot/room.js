// The room page (/room/{name}): a pre-join screen (preview, devices, name), then the call: local and remote video in a
// grid or speaker view, mute, camera, screen share, devices, raise hand, people, chat, keyboard shortcuts.
// Query parameters: name= (skip the pre-join screen and join at once), token= (an access token), relay=1 (TURN only).
import { Room } from '/sdk/switchboard.js';
import { announce } from '/room-announce.js';
import { DeviceChoice } from '/room-devices.js';
import { Layout } from '/room-layout.js';
import { showPeople } from '/room-people.js';
import { bindShortcuts } from '/room-keys.js';

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

/** This participant's public state: microphone and camera on, sharing, hand raised. */
const state = { audio: true, video: true, screen: false, hand: false };
const devices = new DeviceChoice(room);
const layout = new Layout();
/** The ids speaking now (active-speakers). */
let speaking = new Set();
const refreshPeople = () => showPeople(room, state, speaking);

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
    tile.querySelector('.pin').addEventListener('click', () => layout.togglePin(id));
    tile.querySelector('.fullscreen').addEventListener('click', () =>
      (document.fullscreenElement === tile ? document.exitFullscreen() : tile.requestFullscreen()).catch((error) => showNotice(`Full screen: ${error.message}`)));
    $('grid').append(tile);
    if (!local) {
      stopObserving.set(id, room.observeVideo(id.split('/')[0], source, video));
      devices.playThrough(video);
    }
    layout.refresh();
  }
  const shown = local ? `${name} (you)` : source === 'screen' ? `${name} (screen)` : name;
  tile.querySelector('.name').textContent = shown;
  tile.querySelector('.pin').setAttribute('aria-label', `Pin ${shown}`);
  tile.querySelector('.fullscreen').setAttribute('aria-label', `Full screen ${shown}`);
  return tile;
}

function removeTile(id) {
  stopObserving.get(id)?.();
  stopObserving.delete(id);
  findTile(id)?.remove();
  layout.refresh();
}

/** The muted badge: the participant's own state, or (sfu) the server's word that its microphone is muted. */
function showState(tile, participantState, participantId) {
  const micMuted = participantId !== undefined && room.tracks.get(`${participantId}/microphone`)?.muted === true;
  tile.querySelector('.muted').hidden = participantState?.audio !== false && !micMuted;
  tile.querySelector('.hand').hidden = participantState?.hand !== true;
  tile.classList.toggle('camera-off', participantState?.video === false);
}

const showParticipant = ({ detail: { participant } }) => {
  showState(tileFor(participant.id, participant.name), participant.state, participant.id);
  const screen = findTile(`${participant.id}/screen`);
  if (screen) tileFor(`${participant.id}/screen`, participant.name, false, 'screen');
};
room.addEventListener('participant-joined', (event) => {
  showParticipant(event);
  announce(`${event.detail.participant.name} joined`);
});
room.addEventListener('participant-updated', (event) => {
  const hand = event.detail.participant.state?.hand === true;
  if (hand && findTile(event.detail.participant.id)?.querySelector('.hand').hidden !== false) announce(`${event.detail.participant.name} raised their hand`);
  showParticipant(event);
});
room.addEventListener('participant-left', ({ detail: { participant } }) => {
  removeTile(participant.id);
  removeTile(`${participant.id}/screen`);
  announce(`${participant.name} left`);
});
for (const type of ['participant-joined', 'participant-updated', 'participant-left', 'track-muted']) room.addEventListener(type, refreshPeople);
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
  speaking = new Set(speakers.map((s) => s.participant?.id));
  for (const tile of document.querySelectorAll('.tile')) {
    const id = tile.classList.contains('local') ? room.localParticipant?.id : tile.dataset.id;
    tile.classList.toggle('speaking', speaking.has(id));
  }
  layout.speakers(speakers.map((s) => s.participant?.id));
  refreshPeople();
});
document.addEventListener('fullscreenchange', () => {
  for (const button of document.querySelectorAll('.tile .fullscreen')) {
    const full = document.fullscreenElement === button.closest('.tile');
    button.setAttribute('aria-pressed', String(full));
    button.textContent = full ? 'Exit full screen' : 'Full screen';
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
  if (detail.topic !== 'chat' || typeof detail.data !== 'string') return;
  const from = detail.from?.name ?? detail.from?.id ?? 'Server';
  addChat(from, detail.data);
  announce(`${from} says: ${detail.data}`);
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

/** Publishes the state and shows it on this participant's tile and in the People panel. */
function publishState() {
  const self = document.querySelector('.tile.local');
  if (self) showState(self, state);
  if (room.localParticipant) room.setState({ ...state });
  refreshPeople();
}

// A source without a device is shown off but not muted in the SDK: a track published later (room.publish) is sent.
const hasTrack = (kind) => (room.localStream?.getTracks() ?? []).some((t) => t.kind === kind);

function setMicrophone(on) {
  state.audio = on;
  if (on || hasTrack('audio')) room.mute('microphone', !on);
  toggle($('mic'), !on, 'Unmute', 'Mute');
  publishState();
}

function setCamera(on) {
  state.video = on;
  if (on || hasTrack('video')) room.mute('camera', !on);
  toggle($('camera'), !on, 'Camera on', 'Camera off');
  $('preview-off').hidden = on;
  publishState();
}

$('mic').addEventListener('click', () => setMicrophone(!state.audio));
$('camera').addEventListener('click', () => setCamera(!state.video));
$('join-muted').addEventListener('change', () => setMicrophone(!$('join-muted').checked));
$('join-camera-off').addEventListener('change', () => setCamera(!$('join-camera-off').checked));

let screenTrack = null;
async function stopScreenShare() {
  screenTrack?.stop();
  screenTrack = null;
  state.screen = false;
  toggle($('screen'), false, 'Stop sharing', 'Share screen');
  await room.publishScreen(null);
  publishState();
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
    publishState();
  } catch (error) {
    showNotice(`Screen sharing did not start: ${error.message}`);
  }
});

// The Devices dialog shows the pre-join screen's device lists and meter (moved there once the call starts).
$('devices').addEventListener('click', () => $('devices-dialog').showModal());
$('layout').addEventListener('click', () => layout.toggleView());
$('hand').addEventListener('click', () => {
  state.hand = !state.hand;
  toggle($('hand'), state.hand, 'Lower hand', 'Raise hand');
  publishState();
});

/** Shows or hides a side panel; on a phone the panels are overlays, so one hides the other. */
function showPanel(panel, button, shown) {
  $(panel).hidden = !shown;
  $(button).setAttribute('aria-pressed', String(shown));
  if (shown && matchMedia('(max-width: 720px)').matches) {
    for (const [other, otherButton] of [['people', 'people-toggle'], ['chat', 'chat-toggle']]) {
      if (other !== panel) showPanel(other, otherButton, false);
    }
  }
}
$('people-toggle').addEventListener('click', () => showPanel('people', 'people-toggle', $('people').hidden));
$('chat-toggle').addEventListener('click', () => showPanel('chat', 'chat-toggle', $('chat').hidden));
$('help').addEventListener('click', () => $('help-dialog').showModal());

// The invite link is the room's address without a token: in a room that needs tokens each person needs a link of their own.
$('invite').addEventListener('click', async () => {
  const link = `${location.origin}${location.pathname}`;
  try {
    await navigator.clipboard.writeText(link);
    $('invite').textContent = 'Link copied';
    announce(`Invite link copied: ${link}`);
  } catch {
    announce(`Copy the invite link: ${link}`);
    showNotice(`Invite link: ${link}`);
  }
  setTimeout(() => { $('invite').textContent = 'Copy invite link'; }, 3000);
});

$('leave').addEventListener('click', async () => {
  await room.leave();
  devices.close();
  location.href = '/';
});

// --- start ---

/** The pre-join screen: preview, devices, name, join muted or with the camera off. Resolves with the name on Join. */
async function prejoin() {
  $('name-input').value = localStorage.getItem('switchboard.name') ?? '';
  $('prejoin').hidden = false;
  $('connection').textContent = 'not joined';
  $('preview').srcObject = room.localStream;
  $('name-input').focus();
  await new Promise((resolve) => $('prejoin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    resolve();
  }, { once: true }));
  const name = $('name-input').value.trim();
  localStorage.setItem('switchboard.name', name);
  $('prejoin').hidden = true;
  return name;
}

async function start() {
  const { problem } = await devices.open();
  const linkName = query.get('name');
  if (!room.localStream) state.audio = state.video = false;
  else if (!room.localStream.getAudioTracks().length) state.audio = false;
  else if (!room.localStream.getVideoTracks().length) state.video = false;
  $('join-muted').checked = !state.audio;
  $('join-camera-off').checked = !state.video;
  $('join-muted').disabled = !room.localStream?.getAudioTracks().length;
  $('join-camera-off').disabled = !room.localStream?.getVideoTracks().length;
  $('preview-off').hidden = state.video;
  const name = linkName || await prejoin();
  if (linkName && devices.error) showNotice(`Camera and microphone are not available (${devices.error.name}): ${problem}`);
  $('devices-slot').append($('device-choice'), $('device-guidance'));
  $('call').hidden = $('controls').hidden = false;
  if (matchMedia('(max-width: 720px)').matches) showPanel('chat', 'chat-toggle', false);
  bindShortcuts();
  const self = tileFor('local', name, true);
  self.querySelector('video').srcObject = room.localStream;
  setMicrophone(state.audio);
  setCamera(state.video);
  try {
    await room.join(roomName, { name, token, state: { ...state } });
    refreshPeople();
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
