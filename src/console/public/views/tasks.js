import { api, upload } from '../lib/api.js';
import { DateTime, Heading, ProblemMessage, Progress, StatusBadge, UploadProgress, fieldError, useLiveStatus } from '../lib/components.js';
import { formatBytes, formatNumber } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/html.js';
import { isTerminal } from '../lib/realtime.js';

// Anonymisation tasks (DESIGN §4 tasks): create the task with its objects and method, upload the
// image or video, then compare the original with the anonymised result.

const OBJECTS = [
  ['face', 'Faces'],
  ['person', 'People'],
  ['license_plate', 'Licence plates'],
  ['vehicle', 'Vehicles'],
];
const METHODS = ['blur', 'pixelate', 'mask'];
// The API serves the result only; the original is shown when it was uploaded from this tab.
const originals = new Map();

function toRow(task) {
  return {
    kind: 'Anonymisation',
    resource: 'task',
    id: task.id,
    name: task.file_name,
    status: task.status,
    created_at: task.created_at ?? task.upload_time ?? new Date().toISOString(),
    href: `#/tasks/${task.id}`,
  };
}

function CreateTask({ onCreated }) {
  const [fraction, setFraction] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const file = form.elements['task-file'].files[0];
    if (!file) return setError({ detail: 'Choose an image or a video first.' });
    const mediaType = file.type.startsWith('video/') ? 'video' : 'image';
    setBusy(true);
    setError(null);
    try {
      const task = await api('/tasks', {
        method: 'POST',
        json: { file_name: file.name, media_type: mediaType, objects: data.getAll('objects'), method: data.get('method'), quality: Number(data.get('quality')) },
      });
      setFraction(0);
      // Raw body: the type is the file's own, which is what the API checks (415 otherwise).
      await upload(task.links?.upload?.replace(/^\/api\/v1/, '') ?? `/tasks/${task.id}/file`, { method: 'PUT', body: file, contentType: file.type || 'application/octet-stream', onProgress: setFraction });
      originals.set(task.id, { url: URL.createObjectURL(file), mediaType });
      onCreated(toRow({ ...task, status: 'queued' }));
      form.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setFraction(null);
    }
  };

  const objectsError = fieldError(error, 'objects');
  return html`<form onSubmit=${submit} noValidate>
    <div class="field">
      <label for="task-file">Image or video</label>
      <input id="task-file" type="file" accept="image/*,video/*" />
    </div>
    <fieldset aria-describedby=${objectsError ? 'objects-error' : undefined}>
      <legend>Anonymise</legend>
      ${OBJECTS.map(([value, label]) => html`<label class="check"><input type="checkbox" name="objects" value=${value} checked=${value === 'face'} /> ${label}</label>`)}
      ${objectsError ? html`<small id="objects-error" class="field-error">${objectsError}</small>` : null}
    </fieldset>
    <div class="field">
      <label for="method">Method</label>
      <select id="method" name="method">${METHODS.map((m) => html`<option value=${m}>${m}</option>`)}</select>
    </div>
    <div class="field">
      <label for="quality">Output quality (1–100)</label>
      <input id="quality" name="quality" type="number" min="1" max="100" value="85" />
    </div>
    <${UploadProgress} fraction=${fraction} label="Media upload" />
    <${ProblemMessage} error=${error} shownPaths=${['objects']} />
    <button type="submit" disabled=${busy}>Create task and upload</button>
  </form>`;
}

/** The result is behind the bearer token: fetched, then shown from a blob: URL (allowed by the CSP). */
function useResult(id, ready) {
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!ready) return undefined;
    let made;
    api(`/tasks/${id}/result`, { raw: true })
      .then((res) => res.blob())
      .then((blob) => setUrl((made = URL.createObjectURL(blob))), setError);
    return () => made && URL.revokeObjectURL(made);
  }, [id, ready]);
  return { url, error };
}

function Media({ kind, url, label }) {
  if (!url) return html`<p>${label}: not available.</p>`;
  return kind === 'video'
    ? html`<video controls src=${url} aria-label=${label}></video>`
    : html`<img src=${url} alt=${label} />`;
}

function TaskPage({ id }) {
  const [task, setTask] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api(`/tasks/${id}`).then(setTask, setError);
  useEffect(() => void load(), [id]);
  const live = useLiveStatus('task', id, task);
  useEffect(() => {
    if (task && live && isTerminal(live.status) && !isTerminal(task.status)) void load();
  }, [live?.status]);
  const result = useResult(id, task?.status === 'processed');

  if (error) return html`<main><${Heading}>Anonymisation<//><${ProblemMessage} error=${error} /></main>`;
  if (!task || !live) return html`<main><${Heading}>Anonymisation<//><p>Loading…</p></main>`;
  const original = originals.get(id);
  const counts = Object.entries(task.anonymised_objects ?? live.counts ?? {});
  return html`<main>
    <${Heading}>Anonymisation of ${task.file_name}<//>
    <dl class="facts">
      <dt>Status</dt><dd><${StatusBadge} status=${live.status} /></dd>
      <dt>Progress</dt><dd><${Progress} label="Anonymisation progress" status=${live.status} progress=${live.progress} /></dd>
      <dt>Objects</dt><dd>${(task.objects ?? []).join(', ')} (${task.method})</dd>
      <dt>Size</dt><dd>${formatBytes(task.size_bytes)}</dd>
      <dt>Uploaded</dt><dd><${DateTime} iso=${task.upload_time} /></dd>
      <dt>Processing time</dt><dd>${task.processing_time_ms != null ? `${formatNumber(task.processing_time_ms)} ms` : '—'}</dd>
      ${live.error || task.error ? html`<dt>Error</dt><dd class="problem">${live.error || task.error}</dd>` : null}
    </dl>
    <section aria-labelledby="counts-title">
      <h2 id="counts-title">Anonymised objects</h2>
      ${counts.length === 0
        ? html`<p>None yet.</p>`
        : html`<ul class="counts">${counts.map(([k, n]) => html`<li><strong>${formatNumber(n)}</strong> ${k.replace(/_/g, ' ')}</li>`)}<li><strong>${formatNumber(task.anonymised_total)}</strong> in total</li></ul>`}
    </section>
    <section aria-labelledby="compare-title">
      <h2 id="compare-title">Before and after</h2>
      <${ProblemMessage} error=${result.error} />
      <div class="compare">
        <figure><${Media} kind=${task.media_type} url=${original?.url} label="Original" /><figcaption>Original${original ? '' : ' (shown only in the tab that uploaded it)'}</figcaption></figure>
        <figure><${Media} kind=${task.media_type} url=${result.url} label="Anonymised result" /><figcaption>Anonymised</figcaption></figure>
      </div>
    </section>
  </main>`;
}

export default {
  key: 'tasks',
  label: 'Anonymisation',
  resource: 'task',
  list: async (limit = 50) => (await api(`/tasks?limit=${limit}`)).items.filter((t) => t.status !== 'deleted').map(toRow),
  Create: CreateTask,
  createLabel: 'Anonymise an image or video',
  routes: { 'tasks/:id': TaskPage },
};
