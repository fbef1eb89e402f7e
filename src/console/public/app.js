import { isMissingRoute } from './lib/api.js';
import { DateTime, Heading, ProblemMessage, Progress, StatusBadge, useLiveStatus } from './lib/components.js';
import { html, render, useEffect, useState } from './lib/html.js';
import { connectRealtime, disconnectRealtime } from './lib/realtime.js';
import { endSession, onSessionChange, session } from './lib/session.js';
import account from './views/account.js';
import users, { SignIn } from './views/auth.js';
import ecg from './views/ecg.js';
import jobs from './views/jobs.js';
import series from './views/series.js';
import tasks from './views/tasks.js';
import transcriptions from './views/transcriptions.js';

// Each workload is one view module: {key, label, resource, list(), Create, routes, nav?}.
const WORKLOADS = [jobs, tasks, ecg, transcriptions, series];
const MODULES = [users, account, ...WORKLOADS];

function useHashRoute() {
  const read = () => location.hash.replace(/^#\/?/, '');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** `jobs/:id` against `jobs/5f…` → `{id: '5f…'}`, or null. */
function match(pattern, route) {
  const want = pattern.split('/');
  const got = route.split('?')[0].split('/');
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

function WorkRow({ row }) {
  const live = useLiveStatus(row.resource, row.id, row);
  return html`<tr data-id=${row.id}>
    <td data-label="Kind">${row.kind}</td>
    <td data-label="Name"><a href=${row.href}>${row.name}</a></td>
    <td data-label="Created"><${DateTime} iso=${row.created_at} /></td>
    <td data-label="Status"><${StatusBadge} status=${live.status} /></td>
    <td data-label="Progress"><${Progress} label=${`Progress of ${row.name}`} status=${live.status} progress=${live.progress} /></td>
  </tr>`;
}

/** Everything the user started, newest first, across every deployed workload. */
function WorkPage({ available }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    Promise.all(available.filter((m) => m.list).map((m) => m.list(50))).then(
      (lists) => setRows(lists.flat().sort((a, b) => b.created_at.localeCompare(a.created_at))),
      setError,
    );
  }, [available]);
  const onCreated = (row) => setRows((list) => [row, ...(list ?? []).filter((r) => r.id !== row.id || r.kind !== row.kind)]);

  return html`<main>
    <${Heading}>Your work<//>
    <section aria-labelledby="start-title">
      <h2 id="start-title">Start something</h2>
      ${available.filter((m) => m.Create).map(
        (m, i) => html`<details class="create" open=${i === 0} key=${m.key}>
          <summary>${m.createLabel}</summary>
          <${m.Create} onCreated=${onCreated} />
        </details>`,
      )}
    </section>
    <section aria-labelledby="work-title">
      <h2 id="work-title">Newest first</h2>
      <${ProblemMessage} error=${error} />
      ${rows === null && !error ? html`<p>Loading…</p>` : null}
      ${rows && rows.length === 0 ? html`<p>Nothing yet: start something above.</p>` : null}
      ${rows && rows.length > 0
        ? html`<div class="table-wrap"><table class="work">
            <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Progress</th></tr></thead>
            <tbody>${rows.map((row) => html`<${WorkRow} key=${`${row.kind}:${row.id}`} row=${row} />`)}</tbody>
          </table></div>`
        : null}
    </section>
  </main>`;
}

/** Which workloads this server has: a list route answering 404 means that feature is not deployed. */
function useAvailable(user) {
  const [available, setAvailable] = useState(null);
  useEffect(() => {
    if (!user || user.role === 'admin') return;
    Promise.all(
      WORKLOADS.map((m) =>
        m.list(1).then(
          () => m,
          (err) => (isMissingRoute(err) ? null : m),
        ),
      ),
    ).then((found) => setAvailable(found.filter(Boolean)));
  }, [user?.id]);
  return available;
}

function Shell({ user, route }) {
  const available = useAvailable(user);
  const admin = user.role === 'admin';
  const navs = admin ? [users.nav] : [{ href: '#/', label: 'Your work' }, ...(available ?? []).filter((m) => m.nav).map((m) => m.nav)];

  let page;
  if (admin) {
    if (match('users', route)) page = html`<${users.routes.users} user=${user} />`;
    else if (match('account', route)) page = html`<${account.routes.account} user=${user} />`;
    if (!page) location.hash = '#/users';
  } else if (!available) {
    page = html`<main><p>Loading…</p></main>`;
  } else if (route === '' || route === '/') {
    page = html`<${WorkPage} available=${available} />`;
  } else {
    for (const m of MODULES) {
      for (const [pattern, View] of Object.entries(m.routes ?? {})) {
        const params = match(pattern, route);
        if (params && !page) page = m.admin ? null : html`<${View} ...${params} user=${user} />`;
      }
    }
    page ??= html`<main><${Heading}>Not found<//><p>There is no such page. <a href="#/">Back to your work</a>.</p></main>`;
  }

  // The hash is the router's: the skip link moves focus itself instead of navigating to #content.
  const skip = (event) => {
    event.preventDefault();
    document.getElementById('content')?.focus();
  };
  return html`<a class="skip" href="#content" onClick=${skip}>Skip to content</a>
    <header>
      <a class="brand" href=${admin ? '#/users' : '#/'}>Horizon</a>
      <nav aria-label="Main"><ul>${navs.map((n) => html`<li><a href=${n.href} aria-current=${location.hash === n.href || (n.href === '#/' && route === '') ? 'page' : undefined}>${n.label}</a></li>`)}</ul></nav>
      <div class="who"><span>${user.username}</span> <a href="#/account" aria-current=${route === 'account' ? 'page' : undefined}>Account</a> <button type="button" class="secondary" onClick=${signOut}>Sign out</button></div>
    </header>
    <div id="content" tabindex="-1">${page}</div>`;
}

/** Revokes the token on the server (POST /auth/logout), then forgets it here, whatever the answer. */
async function signOut() {
  const current = session();
  // First: the server closes this token's socket on logout, which would read as an expired session.
  disconnectRealtime();
  try {
    if (current) await fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${current.token}` } });
  } catch {
    // Offline: the token is forgotten here all the same, and expires on its own.
  } finally {
    endSession('You signed out.');
  }
}

function App() {
  const [current, setCurrent] = useState(session);
  const route = useHashRoute();
  useEffect(() => {
    // The session may have ended between the first render and this effect (an expired token).
    setCurrent(session());
    return onSessionChange(setCurrent);
  }, []);
  useEffect(() => {
    // Admins may not subscribe to work (the handshake refuses them): no socket for them.
    if (current && current.user.role !== 'admin') connectRealtime(current.token);
    else disconnectRealtime();
    if (!current && location.hash !== '') history.replaceState(null, '', '#/');
  }, [current?.token]);
  return current ? html`<${Shell} user=${current.user} route=${route} />` : html`<${SignIn} />`;
}

render(html`<${App} />`, document.getElementById('app'));
