import { api, ApiError } from '../lib/api.js';
import { Field, Heading, ProblemMessage } from '../lib/components.js';
import { html, useState } from '../lib/html.js';
import { startSession, takeNotice } from '../lib/session.js';
import { UsersPage } from './users.js';

// Sign-in (everyone) and the users page (admins, who manage users and nothing else).

export function SignIn() {
  const [notice] = useState(takeNotice);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const { access_token: token } = await api('/auth/token', { method: 'POST', json: { username: form.get('username'), password: form.get('password') } });
      const me = await fetch('/api/v1/users/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }).then((r) => r.json());
      startSession(token, { username: me.username, role: me.role, id: me.id });
      location.hash = me.role === 'admin' ? '#/users' : '#/';
    } catch (err) {
      // A disabled account's message is the server's (it is only given for the right password).
      setError(err instanceof ApiError && err.code === 'INVALID_CREDENTIALS' ? new ApiError(401, { detail: 'Wrong username or password.' }) : err);
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="narrow">
    <${Heading}>Sign in to Horizon<//>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <form onSubmit=${submit}>
      <${Field} id="username" label="Username" autocomplete="username" required />
      <${Field} id="password" label="Password" type="password" autocomplete="current-password" required />
      <${ProblemMessage} error=${error} />
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}

export default {
  key: 'users',
  admin: true,
  routes: { users: UsersPage },
  nav: { href: '#/users', label: 'Users' },
};
