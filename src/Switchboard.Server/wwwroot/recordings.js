// The recordings page: lists the server's recordings (GET /api/recordings) with an admin token kept in this tab's
// session storage, plays a file in the page, downloads it, stops or deletes a recording, and starts exports.
import { actionButton, api, tokenForm } from '/admin-api.js';

const $ = (id) => document.getElementById(id);

tokenForm($('token-form'), $('token'), refresh);

function status(text) {
  $('status').textContent = text;
}

async function refresh() {
  let recordings;
  try {
    recordings = await (await api('recordings')).json();
  } catch (error) {
    return status(`Could not list the recordings: ${error.message}`);
  }
  status(recordings.length === 0 ? 'No recordings yet.' : `${recordings.length} recording(s).`);
  $('list').replaceChildren(...recordings.reverse().map(item));
}

function button(text, action) {
  return actionButton(text, action, status);
}

function item(recording) {
  const li = document.createElement('li');
  li.className = 'recording';
  li.dataset.id = recording.id;
  const title = document.createElement('h2');
  title.textContent = `${recording.room} · ${new Date(recording.startedAt).toLocaleString()} · ${recording.state}`;
  li.append(title);
  if (recording.error) {
    const error = document.createElement('p');
    error.className = 'error';
    error.textContent = recording.error;
    li.append(error);
  }
  const files = document.createElement('ul');
  for (const file of recording.files) {
    const row = document.createElement('li');
    row.append(`${file.participantId} ${file.source} (${file.codec}, ${file.durationSeconds.toFixed(1)} s, ${Math.ceil(file.bytes / 1024)} KiB) `,
      button('Play', () => play(recording, file.name)), button('Download', () => download(recording, file.name)));
    files.append(row);
  }
  li.append(files);
  const actions = document.createElement('p');
  if (recording.state === 'recording') actions.append(button('Stop', async () => { await api(`recordings/${recording.id}/stop`, { method: 'POST' }); refresh(); }));
  else {
    actions.append(button('Export room', () => exportAs(recording, { kind: 'room' })), button('Export audio', () => exportAs(recording, { kind: 'audio' })),
      button('Delete', async () => { await api(`recordings/${recording.id}`, { method: 'DELETE' }); refresh(); }));
  }
  li.append(actions);
  return li;
}

async function fileUrl(recording, name) {
  return URL.createObjectURL(await (await api(`recordings/${recording.id}/files/${encodeURIComponent(name)}`)).blob());
}

async function play(recording, name) {
  const player = $('player');
  if (player.src) URL.revokeObjectURL(player.src);
  player.src = await fileUrl(recording, name);
  $('player-title').textContent = name;
  $('player-section').hidden = false;
  await player.play().catch(() => {});
}

async function download(recording, name) {
  const link = Object.assign(document.createElement('a'), { href: await fileUrl(recording, name), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

async function exportAs(recording, request) {
  let job = await (await api(`recordings/${recording.id}/exports`, { method: 'POST', body: JSON.stringify(request) })).json();
  while (job.state === 'running') {
    status(`Exporting (${request.kind}): ${Math.round(job.progress * 100)} %`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = await (await api(`recordings/${recording.id}/exports/${job.id}`)).json();
  }
  if (job.state !== 'done') throw new Error(`The export failed: ${job.error}`);
  status(`Exported: ${job.file}`);
  await download(recording, job.file);
}
