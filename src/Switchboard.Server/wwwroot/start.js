// The start page: remembers the display name, suggests a room name, opens /room/{name} (its pre-join screen); its
// broadcast links follow the room.
const form = document.getElementById('start-form');
const room = document.getElementById('room-name');
const name = document.getElementById('display-name');
name.value = localStorage.getItem('switchboard.name') ?? '';
room.value = Math.random().toString(36).slice(2, 8);
const follow = () => {
  for (const [id, path] of [['go-live', '/live'], ['watch', '/watch']]) document.getElementById(id).href = `${path}?room=${encodeURIComponent(room.value.trim())}`;
};
follow();
room.addEventListener('input', follow);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  localStorage.setItem('switchboard.name', name.value.trim());
  location.href = `/room/${encodeURIComponent(room.value.trim())}`;
});
