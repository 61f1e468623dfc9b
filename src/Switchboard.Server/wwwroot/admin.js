// The admin dashboard: the server's overview as live charts (GET /api/overview, a sample a second, the last hour; polled
// every 2 s for what is new), its rooms (a room's page: admin-room.js), TURN (admin-turn.js) and webhook receivers
// (admin-webhooks.js).
import { actionButton, api, row, tokenForm } from '/admin-api.js';
import { closeRoom, openRoom, reportTo, showRoom } from '/admin-room.js';
import { refreshTurn } from '/admin-turn.js';
import { refreshWebhooks } from '/admin-webhooks.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

// Each chart: the overview series it draws, with their labels.
const CHARTS = {
  'chart-people': [['rooms', 'Rooms'], ['participants', 'Participants'], ['connections', 'Connections'], ['peers', 'Media peers']],
  'chart-bitrate': [['bitrateIn', 'In'], ['bitrateOut', 'Out']],
  'chart-packets': [['packetsIn', 'In'], ['packetsOut', 'Out'], ['packetsLost', 'Lost']],
  'chart-turn': [['turnAllocations', 'Allocations'], ['turnBitrate', 'Relayed bit/s']],
  'chart-process': [['cpuPercent', 'CPU %'], ['memoryMiB', 'Memory MiB']],
};
const COLORS = ['#4f8cff', '#f5a524', '#2fbf71', '#e5484d'];

/** Per chart: its uPlot, and its data (time column first). */
const charts = new Map();
let names = [];
let last = 0;
let timer;

reportTo(status);
tokenForm($('token-form'), $('token'), start);
$('room-search').addEventListener('input', () => refreshRooms());

async function start() {
  clearInterval(timer);
  try {
    await poll();
  } catch (error) {
    $('overview').hidden = true;
    return status(`Could not read the overview: ${error.message}`);
  }
  status('');
  $('token-form').hidden = true;
  $('overview').hidden = false;
  timer = setInterval(() => poll().catch((error) => status(error.message)), POLL_MS);
}

function status(text) {
  $('status').textContent = text;
}

async function poll() {
  const overview = await (await api(`overview?after=${last}`)).json();
  names = overview.names;
  if (overview.time.length > 0) {
    last = overview.time[overview.time.length - 1];
    for (const [id, series] of Object.entries(CHARTS)) append(id, series, overview);
  }
  await refreshRooms();
  if (openRoom()) await showRoom(openRoom());
  await Promise.all([refreshTurn(), refreshWebhooks()]);
}

/** Adds the new samples to a chart (made at the first), keeping the last hour. */
function append(id, series, overview) {
  let chart = charts.get(id);
  if (!chart) {
    const data = [[], ...series.map(() => [])];
    const plot = new uPlot({
      width: 440, height: 180,
      series: [{}, ...series.map(([, label], i) => ({ label, stroke: COLORS[i], width: 2 }))],
      axes: [{ stroke: '#aab' }, { stroke: '#aab', size: 60 }],
      legend: { live: false },
    }, data, $(id));
    chart = { plot, data };
    charts.set(id, chart);
  }
  chart.data[0].push(...overview.time);
  series.forEach(([name], i) => chart.data[i + 1].push(...overview.values[names.indexOf(name)]));
  const extra = chart.data[0].length - 3600;
  if (extra > 0) chart.data.forEach((column) => column.splice(0, extra));
  chart.plot.setData(chart.data);
  const figure = $(id);
  figure.dataset.points = chart.data[0].length;
  figure.querySelector('.latest').textContent = series.map(([, label], i) => `${label} ${format(chart.data[i + 1].at(-1))}`).join(' · ');
}

/** 1234567 as 1.23 M. */
function format(value) {
  for (const [size, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (Math.abs(value) >= size) return `${(value / size).toFixed(2)} ${unit}`;
  return `${Math.round(value * 10) / 10}`;
}

async function refreshRooms() {
  const rooms = await (await api('rooms')).json();
  const recordings = await (await api('recordings')).json();
  const recording = new Set(recordings.filter((r) => r.state === 'recording').map((r) => r.room));
  const search = $('room-search').value.trim().toLowerCase();
  $('rooms').tBodies[0].replaceChildren(...rooms.filter((r) => r.name.toLowerCase().includes(search)).map((room) => {
    const tr = row([room.name, room.media, String(room.participants), recording.has(room.name) ? 'yes' : 'no']);
    tr.dataset.key = room.name;
    const actions = document.createElement('td');
    actions.append(button('Open', () => showRoom(room.name)), button('End', async () => {
      await api(`rooms/${encodeURIComponent(room.name)}`, { method: 'DELETE' });
      if (openRoom() === room.name) closeRoom();
      await refreshRooms();
    }));
    tr.append(actions);
    return tr;
  }));
}

function button(text, action) {
  return actionButton(text, action, status);
}
