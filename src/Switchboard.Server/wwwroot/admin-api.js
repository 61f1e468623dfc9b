// What the admin pages share: the REST API (the admin token is kept in this tab's session storage; errors say the
// server's detail), the sign-in form, action buttons, table rows and bit rates.
export const TOKEN_KEY = 'switchboard-admin-token';

export async function api(path, options = {}) {
  const response = await fetch(`/api/${path}`, {
    ...options,
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? problem.title ?? `${response.status} ${response.statusText}`);
  }
  return response;
}

/** Wires a token form: its value is kept for the tab, and `onToken` runs now (when one is kept) and on each submit. */
export function tokenForm(form, input, onToken) {
  input.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    onToken();
  });
  if (input.value) onToken();
}

/** A button that runs `action` once at a time (disabled meanwhile), telling `onError` what went wrong. */
export function actionButton(text, action, onError) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.addEventListener('click', async () => {
    element.disabled = true;
    try {
      await action();
    } catch (error) {
      onError(error.message);
    } finally {
      element.disabled = false;
    }
  });
  return element;
}

/** A table row of text cells. */
export function row(cells) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/** 1234567 as "1.2 Mbit/s". */
export function bits(value) {
  for (const [size, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) if (value >= size) return `${(value / size).toFixed(1)} ${unit}bit/s`;
  return `${Math.round(value)} bit/s`;
}
