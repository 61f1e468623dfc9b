// The start page: remembers the display name, suggests a room name, opens /room/{name} (its pre-join screen).
const form = document.getElementById('start-form');
const room = document.getElementById('room-name');
const name = document.getElementById('display-name');
name.value = localStorage.getItem('switchboard.name') ?? '';
room.value = Math.random().toString(36).slice(2, 8);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  localStorage.setItem('switchboard.name', name.value.trim());
  location.href = `/room/${encodeURIComponent(room.value.trim())}`;
});
