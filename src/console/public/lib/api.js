import { endSession, session } from './session.js';

const BASE = '/api/v1';
export const EXPIRED = 'Your session has expired. Please sign in again.';

/** A problem+json answer (RFC 9457) as an Error: `status`, `code`, `detail`, `errors[{path, message}]`. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.code = problem?.code ?? 'UNKNOWN';
    this.detail = problem?.detail ?? this.message;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

function authHeaders() {
  const current = session();
  return current ? { authorization: `Bearer ${current.token}` } : {};
}

function parseProblem(status, text) {
  try {
    return new ApiError(status, JSON.parse(text));
  } catch {
    return new ApiError(status, undefined);
  }
}

function failed(status, text, sentToken) {
  const error = parseProblem(status, text);
  // A token the server no longer accepts (expired, revoked, or signed with a rotated secret):
  // back to sign-in. A wrong current password on the password form is a 401 of another kind.
  if (status === 401 && sentToken && error.code !== 'INVALID_CURRENT_PASSWORD') endSession(EXPIRED);
  return error;
}

/** JSON in, JSON out; `raw: true` answers the Response (for binaries). Throws ApiError. */
export async function api(path, { method = 'GET', json, body, headers = {}, raw = false, signal } = {}) {
  const auth = authHeaders();
  const res = await fetch(`${BASE}${path}`, {
    method,
    signal,
    headers: { accept: 'application/json', ...auth, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: json !== undefined ? JSON.stringify(json) : body,
  });
  if (!res.ok) throw failed(res.status, await res.text(), 'authorization' in auth);
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * An upload with progress (fetch cannot report request-body progress): `body` is FormData or a
 * File/Blob/string sent as `contentType`. `onProgress(fraction)` runs as bytes leave the browser.
 */
export function upload(path, { method = 'POST', body, contentType, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, `${BASE}${path}`);
    const auth = authHeaders();
    for (const [key, value] of Object.entries(auth)) xhr.setRequestHeader(key, value);
    xhr.setRequestHeader('accept', 'application/json');
    if (contentType) xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
      } else {
        reject(failed(xhr.status, xhr.responseText, 'authorization' in auth));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'The upload was interrupted (network error). Try again.' }));
    xhr.send(body);
  });
}

/** A list route (no id in it) answering 404: that workload is not deployed on this server yet. */
export function isMissingRoute(error) {
  return error instanceof ApiError && error.status === 404;
}
