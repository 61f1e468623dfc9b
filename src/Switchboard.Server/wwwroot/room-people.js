// The People panel: everyone in the call (this participant first) with a muted microphone, a raised hand and who is
// speaking now; redrawn from the room whenever one of them changes.

const list = document.getElementById('people-list');

/**
 * @param {import('/sdk/switchboard.js').Room} room
 * @param {{ audio: boolean, hand?: boolean }} self this participant's state
 * @param {Set<string>} speaking the ids speaking now
 */
export function showPeople(room, self, speaking) {
  const me = room.localParticipant;
  const others = [...room.participants.values()];
  const rows = [];
  if (me) rows.push(row(`${me.name} (you)`, me.id, !self.audio, self.hand === true, speaking.has(me.id)));
  for (const p of others) {
    const micMuted = p.state?.audio === false || room.tracks.get(`${p.id}/microphone`)?.muted === true;
    rows.push(row(p.name, p.id, micMuted, p.state?.hand === true, speaking.has(p.id)));
  }
  list.replaceChildren(...rows);
  document.getElementById('people-title').textContent = `People (${rows.length})`;
}

function row(name, id, muted, hand, speaking) {
  const item = document.createElement('li');
  item.dataset.id = id;
  item.classList.toggle('speaking', speaking);
  const label = document.createElement('span');
  label.className = 'person';
  label.textContent = name;
  item.append(label);
  const states = [hand && 'hand raised', speaking && 'speaking', muted ? 'muted' : 'microphone on'].filter(Boolean);
  for (const state of states) {
    const badge = document.createElement('span');
    badge.className = `state ${state.replace(' ', '-')}`;
    badge.textContent = state === 'hand raised' ? '✋ hand raised' : state;
    item.append(badge);
  }
  return item;
}
