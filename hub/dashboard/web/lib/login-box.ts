import { h } from './dom.ts';
import { logIn, logOut, type StoredSession } from './session.ts';

/** What a page does when someone logs in or out in its {@link renderLoginBox}. */
export interface LoginBoxOptions {
  /** After a login; `password` for a connection that wants it (the live page's MQTT login). */
  onLogin: (session: StoredSession, password: string) => void;
  /** After a logout (the hub has already ended the session). */
  onLogout: () => void;
}

/**
 * The header's login: a form (user, password) when nobody is logged in, else who is, with a "Log out" button.
 * `message` (e.g. "your login ended") is shown next to the form.
 */
export function renderLoginBox(
  container: HTMLElement,
  session: StoredSession | null,
  options: LoginBoxOptions,
  message = '',
): void {
  if (session) {
    container.replaceChildren(
      h('span', { 'data-session': session.role }, `${session.username} (${session.role}) `),
      h(
        'button',
        {
          type: 'button',
          onclick: async () => {
            await logOut();
            options.onLogout();
          },
        },
        'Log out',
      ),
    );
    return;
  }
  container.replaceChildren(loginForm(options, message));
}

function loginForm(options: LoginBoxOptions, initialMessage: string): HTMLFormElement {
  const message = h('span', { class: 'login-message', role: 'alert' }, initialMessage);
  const username = h('input', {
    name: 'username',
    placeholder: 'user',
    autocomplete: 'username',
    size: 10,
    'aria-label': 'username',
  });
  const password = h('input', {
    name: 'password',
    type: 'password',
    placeholder: 'password',
    autocomplete: 'current-password',
    size: 12,
    'aria-label': 'password',
  });
  const form = h(
    'form',
    { class: 'login' },
    username,
    ' ',
    password,
    ' ',
    h('button', { type: 'submit' }, 'Log in'),
    ' ',
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = 'checking…';
    try {
      const session = await logIn(username.value.trim(), password.value);
      options.onLogin(session, password.value);
    } catch (error) {
      message.textContent = `✕ ${(error as Error).message}`;
    }
  });
  return form;
}
