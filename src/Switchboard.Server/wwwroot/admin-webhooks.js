// The admin dashboard's webhook receivers (GET /api/webhooks): events delivered, failed, dropped and waiting, and the
// last error; a receiver failing now is marked. Hidden when none is configured.
import { api, row } from '/admin-api.js';

const $ = (id) => document.getElementById(id);

export async function refreshWebhooks() {
  const webhooks = await (await api('webhooks')).json();
  $('webhooks').hidden = webhooks.length === 0;
  $('webhook-list').tBodies[0].replaceChildren(...webhooks.map((w) => {
    const tr = row([w.url, w.consecutiveFailures > 0 ? `failing (${w.consecutiveFailures} in a row)` : 'ok', String(w.delivered), String(w.failed),
      String(w.dropped), String(w.pending), w.lastError ? `${new Date(w.lastErrorAt).toLocaleTimeString()} ${w.lastError}` : '']);
    if (w.consecutiveFailures > 0) tr.className = 'failing';
    return tr;
  }));
}
