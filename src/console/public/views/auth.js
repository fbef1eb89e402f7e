import { api, ApiError } from '../lib/api.js';
import { Field, fieldError, Heading, ProblemMessage, DateTime } from '../lib/components.js';
import { html, useState } from '../lib/html.js';
import { startSession, takeNotice } from '../lib/session.js';

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
      setError(err instanceof ApiError && err.status === 401 ? new ApiError(401, { detail: 'Wrong username or password.' }) : err);
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

/** The API has no user listing (DESIGN §4): the page shows the users created from it in this tab. */
function UsersPage({ user }) {
  const [created, setCreated] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setError(null);
    try {
      const made = await api('/users', { method: 'POST', json: { username: form.get('new-username'), password: form.get('new-password'), role: form.get('role') } });
      setCreated((list) => [made, ...list]);
      formElement.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const usernameError = fieldError(error, 'username') || (error?.status === 409 ? error.detail : '');
  const passwordError = fieldError(error, 'password');
  return html`<main>
    <${Heading}>Users<//>
    <p>Signed in as <strong>${user.username}</strong> (administrator). Administrators manage users; the workloads belong to users.</p>
    <section aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <form onSubmit=${submit} noValidate>
        <${Field} id="new-username" label="Username" hint="3–64 letters, digits, dots, underscores or hyphens" autocomplete="off" error=${usernameError} />
        <${Field} id="new-password" label="Password" type="password" hint="10–256 characters" autocomplete="new-password" error=${passwordError} />
        <div class="field">
          <label for="role">Role</label>
          <select id="role" name="role">
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </div>
        <${ProblemMessage} error=${error?.status === 409 ? null : error} shownPaths=${['username', 'password']} />
        <button type="submit" disabled=${busy}>Create user</button>
      </form>
    </section>
    <section aria-labelledby="created-users">
      <h2 id="created-users">Created in this session</h2>
      ${created.length === 0
        ? html`<p>None yet.</p>`
        : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Created</th></tr></thead>
            <tbody>${created.map((u) => html`<tr key=${u.id}><td>${u.username}</td><td>${u.role}</td><td><${DateTime} iso=${u.created_at} /></td></tr>`)}</tbody>
          </table></div>`}
    </section>
  </main>`;
}

export default {
  key: 'users',
  admin: true,
  routes: { users: UsersPage },
  nav: { href: '#/users', label: 'Users' },
};
