import { api } from '../lib/api.js';
import { Field, fieldError, Heading, ProblemMessage } from '../lib/components.js';
import { html, useState } from '../lib/html.js';

// Everyone's own account: change the password (the other sessions are signed out by the server).

export function AccountPage({ user }) {
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api('/users/me/password', { method: 'POST', json: { current_password: form.get('current-password'), new_password: form.get('new-password') } });
      formElement.reset();
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const currentError = error?.code === 'INVALID_CURRENT_PASSWORD' ? 'That is not your current password.' : fieldError(error, 'current_password');
  return html`<main class="narrow">
    <${Heading}>Your account<//>
    <p>Signed in as <strong>${user.username}</strong> (${user.role}).</p>
    <section aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      ${done ? html`<p class="notice" role="status">Your password was changed. Your other sessions were signed out; this one stays.</p>` : null}
      <form onSubmit=${submit} noValidate>
        <${Field} id="current-password" label="Current password" type="password" autocomplete="current-password" error=${currentError} />
        <${Field} id="new-password" label="New password" type="password" hint="10–256 characters" autocomplete="new-password" error=${fieldError(error, 'new_password')} />
        <${ProblemMessage} error=${error?.code === 'INVALID_CURRENT_PASSWORD' ? null : error} shownPaths=${['current_password', 'new_password']} />
        <button type="submit" disabled=${busy}>Change password</button>
      </form>
    </section>
  </main>`;
}

export default {
  key: 'account',
  routes: { account: AccountPage },
};
