import { html, useEffect, useRef, useState } from './html.js';
import { formatDate } from './format.js';
import { isTerminal, watch } from './realtime.js';

const STATUS_WORDS = {
  413: 'That is larger than the server accepts.',
  415: 'That type of file is not accepted here.',
  422: 'Some values are not valid.',
  409: 'That conflicts with something that already exists.',
  429: 'Too many attempts; wait a moment and try again.',
};

/** An API error in words, announced to screen readers; field errors not shown beside a field are listed. */
export function ProblemMessage({ error, shownPaths = [] }) {
  if (!error) return null;
  const lead = STATUS_WORDS[error.status];
  const rest = (error.errors ?? []).filter((e) => !shownPaths.includes(e.path));
  return html`<div class="problem" role="alert">
    ${lead ? html`<strong>${lead}</strong> ` : null}${error.detail}
    ${rest.length > 0 ? html`<ul>${rest.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>` : null}
  </div>`;
}

/** The API's message for one field path (`username`, `leads[0].signal`), for beside that field. */
export function fieldError(error, path) {
  return (error?.errors ?? []).filter((e) => e.path === path).map((e) => e.message).join('; ');
}

/** A labelled text input with its field error linked by aria-describedby. */
export function Field({ id, label, error, hint, ...input }) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint ? html`<small id=${`${id}-hint`} class="hint">${hint}</small>` : null}
    <input id=${id} name=${id} aria-invalid=${error ? 'true' : undefined} aria-describedby=${described} ...${input} />
    ${error ? html`<small id=${`${id}-error`} class="field-error">${error}</small>` : null}
  </div>`;
}

export function DateTime({ iso }) {
  return iso ? html`<time datetime=${iso}>${formatDate(iso)}</time>` : html`<span>—</span>`;
}

export function StatusBadge({ status }) {
  return html`<span class=${`status status-${status}`}>${status}</span>`;
}

/**
 * A progress bar. Without a numeric progress it is indeterminate while the work runs and full
 * once it completed.
 */
export function Progress({ label, status, progress }) {
  const value = typeof progress === 'number' ? progress : status === 'completed' || status === 'processed' ? 100 : undefined;
  return html`<div class="progress">
    <progress max="100" value=${value} aria-label=${label} data-progress=${value ?? ''}></progress>
    <span aria-hidden="true" class="percent">${value === undefined ? '…' : `${Math.round(value)}\u00a0%`}</span>
  </div>`;
}

/** Live status of one resource: the given state, then Socket.IO's snapshot and events until terminal. */
export function useLiveStatus(resource, id, initial) {
  const [state, setState] = useState(initial);
  useEffect(() => setState(initial), [id, initial?.status]);
  useEffect(() => {
    // Subscribed once the resource is known (read by GET, or listed): the snapshot then updates it.
    if (!resource || !id || !initial || isTerminal(initial.status)) return undefined;
    return watch(resource, id, (event) => {
      if (event.error && !event.status) return;
      setState((before) => ({ ...before, ...event }));
    });
  }, [resource, id, initial?.status]);
  return state;
}

/** Cursor paging: `load(cursor)` answers `{items, next_cursor}`; previous pages come from a stack. */
export function usePages(load, deps) {
  const [stack, setStack] = useState([null]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const cursor = stack[stack.length - 1];
  useEffect(() => setStack([null]), deps);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let live = true;
    setError(null);
    setLoading(true);
    load(cursor).then(
      (answer) => live && (setPage(answer), setLoading(false)),
      (err) => live && (setError(err), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [cursor, ...deps]);
  return {
    page,
    error,
    loading,
    number: stack.length,
    previous: stack.length > 1 ? () => setStack(stack.slice(0, -1)) : undefined,
    next: page?.next_cursor ? () => setStack([...stack, page.next_cursor]) : undefined,
  };
}

export function Pager({ pages, label }) {
  if (!pages.previous && !pages.next) return null;
  return html`<nav class="pager" aria-label=${label}>
    <button type="button" onClick=${pages.previous} disabled=${!pages.previous}>Previous page</button>
    <span>Page ${pages.number}</span>
    <button type="button" onClick=${pages.next} disabled=${!pages.next}>Next page</button>
  </nav>`;
}

/** Moves focus to a page's heading after navigation, so keyboard and screen-reader users start there. */
export function Heading({ children }) {
  const ref = useRef(null);
  useEffect(() => ref.current?.focus(), []);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

/** An upload's own progress (bytes sent), distinct from the processing progress that follows. */
export function UploadProgress({ fraction, label = 'Upload progress' }) {
  if (fraction === null || fraction === undefined) return null;
  const percent = Math.round(fraction * 100);
  return html`<div class="progress upload-progress">
    <progress max="100" value=${percent} aria-label=${label} data-progress=${percent}></progress>
    <span aria-hidden="true" class="percent">${percent}\u00a0%</span>
  </div>`;
}
