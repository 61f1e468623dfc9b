// The admin dashboard's TURN page (GET /api/turn): allocations by client transport and by user, what was relayed, and
// what was refused (peers the policy denied, quota rejections, authentication failures). Hidden on a server without TURN.
import { api, bits, row } from '/admin-api.js';

const $ = (id) => document.getElementById(id);
let previous;

export async function refreshTurn() {
  let turn;
  try {
    turn = await (await api('turn')).json();
  } catch {
    $('turn').hidden = true;
    return;
  }
  $('turn').hidden = false;
  const now = Date.now();
  const bytes = turn.bytesToPeer + turn.bytesToClient;
  const rate = previous ? (bytes - previous.bytes) * 8000 / Math.max(1, now - previous.at) : 0;
  previous = { bytes, at: now };
  const transports = Object.entries(turn.allocationsByTransport).map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
  $('turn-summary').textContent = `${turn.allocations} allocations (${transports})${turn.draining ? ', draining' : ''} · relayed ${mib(turn.bytesToPeer)} to peers, ${mib(turn.bytesToClient)} to clients · ${bits(rate)} now`;
  $('turn-users').tBodies[0].replaceChildren(...turn.users.map((u) => row([u.user, String(u.allocations), u.transports.join(', '), mib(u.bytesToPeer), mib(u.bytesToClient)])));
  $('turn-refusals').replaceChildren(
    ...tally('Peers denied', turn.deniedPeers), ...tally('Quota rejections', turn.quotaRejections), ...tally('Authentication failures', turn.authFailures));
}

function tally(title, counts) {
  const dt = document.createElement('dt');
  dt.textContent = title;
  const dd = document.createElement('dd');
  dd.textContent = Object.entries(counts).map(([reason, n]) => `${reason.replaceAll('_', ' ')} ${n}`).join(' · ') || 'none';
  return [dt, dd];
}

function mib(value) {
  return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : `${(value / 1024).toFixed(1)} KiB`;
}
