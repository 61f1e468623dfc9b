// The call-quality page (/quality): finds calls by room, identity and time (GET /api/quality), and shows one call's
// timeline (GET /api/quality/{callId}): its score per point as a chart, and per point what was measured and what
// degraded. ?room=, ?identity= and ?call= fill the search and open a call, so a link can point at one.
import { actionButton, api, row as cellsRow, tokenForm } from '/admin-api.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
let chart;

$('room').value = query.get('room') ?? '';
$('identity').value = query.get('identity') ?? '';
tokenForm($('token-form'), $('token'), start);
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  search().catch((error) => status(error.message));
});

async function start() {
  try {
    await search();
  } catch (error) {
    return status(`Could not list the calls: ${error.message}`);
  }
  $('token-form').hidden = true;
  $('search-section').hidden = false;
  if (query.get('call')) await show(query.get('call')).catch((error) => status(error.message));
}

function status(text) {
  $('status').textContent = text;
}

async function search() {
  const params = new URLSearchParams();
  for (const name of ['room', 'identity']) if ($(name).value.trim()) params.set(name, $(name).value.trim());
  if ($('at').value) params.set('at', new Date($('at').value).toISOString());
  const calls = await (await api(`quality?${params}`)).json();
  status(calls.length === 0 ? 'No calls kept for that search.' : '');
  $('calls').tBodies[0].replaceChildren(...calls.map((call) => row(call.callId, [
    call.room, call.identity, time(call.started), call.ended ? time(call.ended) : 'on now', score(call.score), score(call.worstScore),
    call.degraded.join(', ') || 'nothing', [call.candidate, call.protocol].filter(Boolean).join('/'),
  ], button('Show', () => show(call.callId)))));
}

async function show(callId) {
  const timeline = await (await api(`quality/${encodeURIComponent(callId)}`)).json();
  const { call, buckets } = timeline;
  $('timeline').hidden = false;
  $('timeline-title').textContent = `${call.identity} in ${call.room}, ${time(call.started)}: score ${score(call.score)}, ` +
    `a point per ${timeline.bucketSeconds} s${timeline.truncated ? ' (the oldest points are no longer kept)' : ''}`;
  draw(buckets);
  $('buckets').tBodies[0].replaceChildren(...buckets.map((b) => row(b.start, [
    time(b.start), score(b.score), number(b.rttMs), number(b.jitterMs), number(b.lossPercent), number(b.fps),
    String(b.freezes), `${number(b.kbpsIn)} · ${number(b.kbpsOut)}`, b.degraded.join(', ') || 'nothing',
  ])));
}

/** The score per point, with the points shown: a call of one minute is one point. */
function draw(buckets) {
  const data = [buckets.map((b) => Date.parse(b.start) / 1000), buckets.map((b) => b.score)];
  chart?.destroy();
  chart = new uPlot({
    width: 720, height: 220,
    series: [{}, { label: 'Score', stroke: '#4f8cff', width: 2, points: { show: true, size: 7 } }],
    scales: { y: { range: [1, 4.5] } },
    axes: [{ stroke: '#aab' }, { stroke: '#aab', size: 40 }],
    legend: { live: false },
  }, data, $('quality-chart'));
  $('quality-chart').dataset.points = String(buckets.length);
}

const time = (iso) => new Date(iso).toLocaleString();
const score = (value) => (value === null || value === undefined ? '-' : value.toFixed(2));
const number = (value) => (value === null || value === undefined ? '-' : String(value));

/** A row of text cells named by `key`, with an action button at the end when given. */
function row(key, cells, action) {
  const tr = cellsRow(cells);
  tr.dataset.key = key;
  if (action) {
    const td = document.createElement('td');
    td.append(action);
    tr.append(td);
  }
  return tr;
}

function button(text, action) {
  return actionButton(text, action, status);
}
