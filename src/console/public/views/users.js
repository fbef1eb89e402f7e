import { api, query } from '../lib/api.js';
import { DateTime, Field, fieldError, Heading, Pager, ProblemMessage, usePages } from '../lib/components.js';
import { html, useState } from '../lib/html.js';

// The admins' users page: create, find, disable or enable, delete (after a confirmation naming
// what is erased), and the latest admin actions from the audit log.

/** What DELETE /api/v1/users/{id} erases, in the words a person deciding needs. */
const ERASED = [
  'the account itself (the username can be given to someone else afterwards)',
  'uploaded log files and every entry ingested from them',
  'anonymisation tasks, their original images or videos and the anonymised results',
  'ECGs and their insights',
  'time series',
  'audio uploads and their transcripts',
];

function CreateUser({ onCreated }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setError(null);
    try {
      onCreated(await api('/users', { method: 'POST', json: { username: form.get('new-username'), password: form.get('new-password'), role: form.get('role') } }));
      formElement.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const usernameError = fieldError(error, 'username') || (error?.status === 409 ? error.detail : '');
  return html`<form onSubmit=${submit} noValidate>
    <${Field} id="new-username" label="Username" hint="3–64 letters, digits, dots, underscores or hyphens" autocomplete="off" error=${usernameError} />
    <${Field} id="new-password" label="Password" type="password" hint="10–256 characters" autocomplete="new-password" error=${fieldError(error, 'password')} />
    <div class="field">
      <label for="role">Role</label>
      <select id="role" name="role">
        <option value="user">user</option>
        <option value="admin">admin</option>
      </select>
    </div>
    <${ProblemMessage} error=${error?.status === 409 ? null : error} shownPaths=${['username', 'password']} />
    <button type="submit" disabled=${busy}>Create user</button>
  </form>`;
}

function ConfirmDelete({ target, onDone, onCancel }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/users/${encodeURIComponent(target.id)}`, { method: 'DELETE' });
      onDone(target);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<section class="confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-what">
    <h2 id="confirm-title">Delete ${target.username}?</h2>
    <div id="confirm-what">
      <p>This signs ${target.username} out everywhere at once and erases, for good:</p>
      <ul>${ERASED.map((what) => html`<li>${what}</li>`)}</ul>
      <p>The audit log keeps the record that you deleted this account. This cannot be undone.</p>
    </div>
    <${ProblemMessage} error=${error} />
    <div class="actions">
      <button type="button" class="danger" onClick=${confirm} disabled=${busy}>${busy ? 'Deleting…' : `Delete ${target.username} and erase their data`}</button>
      <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
    </div>
  </section>`;
}

function UserRow({ u, me, onChanged, onDelete, onError }) {
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      onChanged(await api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', json: { disabled: !u.disabled } }));
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<tr data-id=${u.id}>
    <td data-label="Username">${u.username}${u.id === me.id ? ' (you)' : ''}</td>
    <td data-label="Role">${u.role}</td>
    <td data-label="Status">${u.disabled ? 'disabled' : 'enabled'}</td>
    <td data-label="Created"><${DateTime} iso=${u.created_at} /></td>
    <td data-label="Last sign-in">${u.last_login_at ? html`<${DateTime} iso=${u.last_login_at} />` : 'never'}</td>
    <td data-label="Actions" class="actions">
      <button type="button" class="secondary" onClick=${toggle} disabled=${busy} aria-label=${`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}>${u.disabled ? 'Enable' : 'Disable'}</button>
      <button type="button" class="secondary" onClick=${() => onDelete(u)} aria-label=${`Delete ${u.username}`}>Delete</button>
    </td>
  </tr>`;
}

function AuditLog({ version }) {
  const pages = usePages((cursor) => api(`/audit-events${query({ cursor, limit: 10 })}`), [version]);
  return html`<section aria-labelledby="audit-title">
    <h2 id="audit-title">Admin actions</h2>
    <${ProblemMessage} error=${pages.error} />
    ${pages.page && pages.page.items.length === 0 ? html`<p>None yet.</p>` : null}
    ${pages.page && pages.page.items.length > 0
      ? html`<div class="table-wrap"><table class="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Account</th></tr></thead>
          <tbody>${pages.page.items.map(
            (e) => html`<tr key=${e.id}><td data-label="When"><${DateTime} iso=${e.at} /></td><td data-label="Who">${e.actor_username ?? '—'}</td><td data-label="Action">${e.action}</td><td data-label="Account">${e.target_username ?? '—'}</td></tr>`,
          )}</tbody>
        </table></div>`
      : null}
    <${Pager} pages=${pages} label="Admin action pages" />
  </section>`;
}

export function UsersPage({ user }) {
  const [q, setQ] = useState('');
  const [version, setVersion] = useState(0);
  const [target, setTarget] = useState(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const refresh = () => setVersion((v) => v + 1);
  const pages = usePages((cursor) => api(`/users${query({ q, cursor, limit: 20 })}`), [q, version]);

  return html`<main>
    <${Heading}>Users<//>
    <p>Signed in as <strong>${user.username}</strong> (administrator). Administrators manage users; the workloads belong to users.</p>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
    <section aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <${CreateUser} onCreated=${(made) => (setNotice(`Created ${made.username}.`), refresh())} />
    </section>
    <section aria-labelledby="all-users">
      <h2 id="all-users">All users</h2>
      <div class="field">
        <label for="find-users">Find users</label>
        <small id="find-users-hint" class="hint">Usernames starting with…</small>
        <input id="find-users" type="search" aria-describedby="find-users-hint" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      </div>
      ${target
        ? html`<${ConfirmDelete}
            target=${target}
            onCancel=${() => setTarget(null)}
            onDone=${(gone) => (setTarget(null), setNotice(`${gone.username} is being deleted and their data erased.`), refresh())}
          />`
        : null}
      <${ProblemMessage} error=${error ?? pages.error} />
      ${pages.page && pages.page.items.length === 0 ? html`<p>No users match.</p>` : null}
      ${pages.page && pages.page.items.length > 0
        ? html`<div class="table-wrap"><table class="users">
            <thead><tr><th scope="col">Username</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr></thead>
            <tbody>${pages.page.items.map(
              (u) => html`<${UserRow}
                key=${u.id}
                u=${u}
                me=${user}
                onChanged=${(changed) => (setError(null), setNotice(`${changed.username} is ${changed.disabled ? 'disabled and signed out everywhere' : 'enabled'}.`), refresh())}
                onDelete=${(victim) => (setError(null), setTarget(victim))}
                onError=${setError}
              />`,
            )}</tbody>
          </table></div>`
        : null}
      <${Pager} pages=${pages} label="User pages" />
    </section>
    <${AuditLog} version=${version} />
  </main>`;
}
