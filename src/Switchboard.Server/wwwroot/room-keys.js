// Keyboard shortcuts of the call (single keys, none while typing in a field), listed in the help dialog ('?').

/** @type {{ key: string, button: string, what: string }[]} */
const SHORTCUTS = [
  { key: 'm', button: 'mic', what: 'Mute or unmute the microphone' },
  { key: 'v', button: 'camera', what: 'Turn the camera off or on' },
  { key: 's', button: 'screen', what: 'Share the screen or stop' },
  { key: 'd', button: 'devices', what: 'Choose camera, microphone and speaker' },
  { key: 'l', button: 'layout', what: 'Switch between grid and speaker view' },
  { key: 'h', button: 'hand', what: 'Raise or lower your hand' },
  { key: 'p', button: 'people-toggle', what: 'Show or hide the people' },
  { key: 'c', button: 'chat-toggle', what: 'Show or hide the chat' },
  { key: '?', button: 'help', what: 'Show these shortcuts' },
];

/** Lists the shortcuts in the help dialog and makes each key press its button. */
export function bindShortcuts() {
  const list = document.getElementById('shortcut-list');
  for (const { key, what } of SHORTCUTS) {
    const term = document.createElement('dt');
    term.append(Object.assign(document.createElement('kbd'), { textContent: key }));
    list.append(term, Object.assign(document.createElement('dd'), { textContent: what }));
  }
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (event.target.closest?.('input, textarea, select, [contenteditable]') || document.querySelector('dialog[open]')) return;
    const shortcut = SHORTCUTS.find((s) => s.key === event.key.toLowerCase() || s.key === event.key);
    if (!shortcut || document.getElementById('controls').hidden) return;
    event.preventDefault();
    document.getElementById(shortcut.button).click();
  });
}
