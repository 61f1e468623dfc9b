// The admin dashboard's room page: each participant's connection and call quality as the SFU sees it (GET
// /api/rooms/{room}/media) and as its browser sees it (the SDK's stats summaries: GET .../participants/{id}/quality),
// what it publishes and receives (the layer and why), its recent media events, and the room's recent events; actions:
// mute a track, remove a participant, end the room, start or stop its recording.
import { actionButton, api, bits } from '/admin-api.js';

const $ = (id) => document.getElementById(id);
const path = (room) => `rooms/${encodeURIComponent(room)}`;
let open;
let onStatus = () => {};

/** Where the page says what went wrong. */
export function reportTo(status) {
  onStatus = status;
}

export function openRoom() {
  return open;
}

export async function showRoom(name) {
  let participants, media, events, recordings;
  try {
    [participants, media, events, recordings] = await Promise.all([
      api(`${path(name)}/participants`), api(`${path(name)}/media`), api(`${path(name)}/events?limit=30`), api(`recordings?room=${encodeURIComponent(name)}`),
    ].map((request) => request.then((response) => response.json())));
  } catch {
    return closeRoom();
  }
  open = name;
  $('room').hidden = false;
  $('room-title').textContent = `Room ${name}`;
  const recording = recordings.find((r) => r.state === 'recording');
  $('room-actions').replaceChildren(
    button(recording ? 'Stop recording' : 'Start recording', async () => {
      if (recording) await api(`recordings/${encodeURIComponent(recording.id)}/stop`, { method: 'POST' });
      else await api(`${path(name)}/recordings`, { method: 'POST', body: '{}' });
      await showRoom(name);
    }),
    button('End room', async () => {
      await api(path(name), { method: 'DELETE' });
      closeRoom();
    }));
  const byId = new Map(media.map((m) => [m.participantId, m]));
  const seen = await Promise.all(participants.map((p) => api(`${path(name)}/participants/${encodeURIComponent(p.id)}/quality`)
    .then((response) => response.json()).catch(() => undefined)));
  $('participants').tBodies[0].replaceChildren(...participants.flatMap((p, i) => participantRows(name, p, byId.get(p.id), seen[i])));
  $('room-events').replaceChildren(...events.reverse().map((e) => item(`${time(Date.parse(e.createdAt))} ${e.type.replaceAll('_', ' ')}${e.participant ? ` · ${e.participant.name || e.participant.identity}` : ''}${e.reason ? ` (${e.reason})` : ''}${e.track ? ` · ${e.track.source}` : ''}`)));
}

export function closeRoom() {
  open = undefined;
  $('room').hidden = true;
}

/** A participant's row of numbers, and a row under it with its tracks, subscriptions, media events and its browser's view. */
function participantRows(room, p, m, seen) {
  const tr = document.createElement('tr');
  tr.dataset.key = p.id;
  const cells = [
    p.name || p.identity, p.identity,
    m ? connection(m) : 'no media',
    m?.roundTripMs != null ? `${m.roundTripMs} ms` : '–',
    m ? `${percent(m.lossIn)} / ${percent(m.lossOut)}` : '–',
    m ? `${ms(m.jitterInMs)} / ${ms(m.jitterOutMs)}` : '–',
    m?.bandwidthEstimate != null ? `${bits(m.bandwidthEstimate)}${m.congested ? ' (congested)' : ''}` : '–',
    m ? `${bits(m.bitrateIn)} / ${bits(m.bitrateOut)}` : '–',
  ];
  const names = ['name', 'identity', 'connection', 'rtt', 'loss', 'jitter', 'estimate', 'bitrate'];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.dataset.field = names[i];
    td.textContent = text;
    tr.append(td);
  });
  const actions = document.createElement('td');
  for (const track of m?.published ?? []) {
    if (!track.muted && (track.source === 'microphone' || track.source === 'camera')) {
      actions.append(button(`Mute ${track.source}`, async () => {
        await api(`${path(room)}/participants/${encodeURIComponent(p.id)}/mute`, { method: 'POST', body: JSON.stringify({ source: track.source }) });
        await showRoom(room);
      }));
    }
  }
  actions.append(button('Remove', async () => {
    await api(`${path(room)}/participants/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
    await showRoom(room);
  }));
  tr.append(actions);
  if (!m) return [tr];
  const detail = document.createElement('tr');
  detail.className = 'participant-detail';
  const td = document.createElement('td');
  td.colSpan = cells.length + 1;
  td.append(
    list('Publishes', m.published.map((t) => `${t.source}${t.muted ? ' (muted)' : ''}: ${bits(t.bitrate)}${t.layers.length > 1 ? ` in ${t.layers.length} layers (${t.layers.map((l) => `${l.rid ?? l.index} ${l.width}x${l.height} ${bits(l.bitrate)}`).join(', ')})` : ''}`)),
    list('Receives', m.subscriptions.map((s) => `${s.trackId}: ${s.forwardedLayer == null ? 'no layer' : `layer ${s.forwardedLayer + 1} of ${s.layers}`}, ${bits(s.bitrate)}, ${reason(s.reason)}`)),
    list('Media events', m.events.slice().reverse().map((e) => `${time(e.at)} ${e.kind.replaceAll('-', ' ')}: ${e.detail}${e.count > 1 ? ` (×${e.count})` : ''}`)),
    browserView(seen));
  detail.append(td);
  return [tr, detail];
}

/** What its browser reported last (docs/signaling.md, "stats"), the score of the current minute, and its quality timeline. */
function browserView(seen) {
  if (!seen) return list('Its browser', []);
  const latest = seen.latest;
  const items = [
    `score ${seen.current.score.toFixed(1)} this minute${seen.current.degraded.length ? ` (${seen.current.degraded.join(', ')})` : ''}`,
    `${latest.cand ?? '?'} candidate over ${latest.proto ?? '?'}${latest.rtt != null ? `, round trip ${latest.rtt} ms` : ''}`,
    ...latest.video.map((v) => `${v.track ?? 'video'}: ${v.fps} frames/s${v.w ? ` at ${v.w}x${v.h}` : ''}${v.frz ? `, ${v.frz} freezes (${v.frzMs} ms)` : ''}`),
  ];
  const section = list('Its browser', items);
  const link = document.createElement('a');
  link.href = `/quality?call=${encodeURIComponent(seen.callId)}`;
  link.textContent = 'Quality timeline';
  section.append(link);
  return section;
}

function connection(m) {
  if (!m.transport) return m.connected ? 'connecting' : 'not connected';
  return m.relayed ? `relay (TURN, ${m.transport})` : m.transport;
}

function reason(text) {
  return {
    paused: 'paused (not shown)', muted: 'muted by its publisher', 'awaiting-keyframe': 'waiting for a keyframe', bandwidth: 'limited by bandwidth',
    'rendered-size': 'limited by the rendered size', best: 'best available',
  }[text] ?? text;
}

function list(title, items) {
  const section = document.createElement('div');
  section.className = 'detail-list';
  const heading = document.createElement('strong');
  heading.textContent = title;
  const ul = document.createElement('ul');
  ul.append(...(items.length ? items : ['none']).map(item));
  section.append(heading, ul);
  return section;
}

function item(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

function button(text, action) {
  return actionButton(text, action, onStatus);
}

function percent(fraction) {
  return fraction == null ? '–' : `${(fraction * 100).toFixed(1)} %`;
}

function ms(value) {
  return value == null ? '–' : `${value} ms`;
}

function time(unixMs) {
  return new Date(unixMs).toLocaleTimeString();
}
