// The bearer token lives in sessionStorage: it survives a reload of this tab, is not shared with
// other tabs and is never sent by the browser on its own (no cookie, so no CSRF to defend).
const KEY = 'horizon.session';
const listeners = new Set();
let current = restore();
let notice = '';
let expiryTimer;

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return saved && typeof saved.token === 'string' ? saved : null;
  } catch {
    return null;
  }
}

/** The `exp` claim in epoch milliseconds, or undefined; the signature is the server's business. */
export function tokenExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function armExpiry() {
  clearTimeout(expiryTimer);
  const at = current && tokenExpiry(current.token);
  // setTimeout overflows past ~24.8 days; such a token is re-checked on the next reload.
  if (at !== undefined && at - Date.now() < 2 ** 31 - 1) {
    expiryTimer = setTimeout(() => endSession('Your session has expired. Please sign in again.'), Math.max(0, at - Date.now()));
  }
}

function emit() {
  for (const listener of listeners) listener(current);
}

export function session() {
  return current;
}

/** A message for the sign-in page (why the user was signed out), read once. */
export function takeNotice() {
  const message = notice;
  notice = '';
  return message;
}

export function startSession(token, user) {
  current = { token, user };
  sessionStorage.setItem(KEY, JSON.stringify(current));
  armExpiry();
  emit();
}

export function endSession(message = '') {
  if (!current) return;
  current = null;
  notice = message;
  sessionStorage.removeItem(KEY);
  clearTimeout(expiryTimer);
  emit();
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

armExpiry();
