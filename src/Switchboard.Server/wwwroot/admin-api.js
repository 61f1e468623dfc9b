// The REST API for the admin pages: the admin token is kept in this tab's session storage; errors say the server's detail.
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
