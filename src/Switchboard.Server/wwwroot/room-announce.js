// The room page's live region: what a screen reader says when someone joins, leaves, raises a hand or writes in chat.

const region = document.getElementById('announcer');

/** Says `text` politely (after what is being read); the last 5 announcements stay in the region. @param {string} text */
export function announce(text) {
  const line = document.createElement('p');
  line.textContent = text;
  region.append(line);
  while (region.childElementCount > 5) region.firstElementChild.remove();
}
