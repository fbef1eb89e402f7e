import { api, query, upload } from '../lib/api.js';
import { DateTime, Field, Heading, Pager, ProblemMessage, Progress, StatusBadge, UploadProgress, useLiveStatus, usePages } from '../lib/components.js';
import { formatBytes, formatNumber } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/html.js';
import { isTerminal } from '../lib/realtime.js';

// Log-file ingestion: upload a .jsonl file, watch it, browse its entries and rejected lines.

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

function toRow(job) {
  return {
    kind: 'Log file',
    resource: 'job',
    id: job.job_id,
    name: job.file_name,
    status: job.status,
    progress: job.progress,
    created_at: job.created_at ?? new Date().toISOString(),
    href: `#/jobs/${job.job_id}`,
  };
}

function UploadLog({ onCreated }) {
  const [fraction, setFraction] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const file = form.elements['log-file'].files[0];
    if (!file) return setError({ detail: 'Choose a .jsonl file first.' });
    const body = new FormData();
    body.append('file', file, file.name);
    setBusy(true);
    setError(null);
    setFraction(0);
    try {
      const accepted = await upload('/files/upload', { body, onProgress: setFraction });
      onCreated(toRow({ ...accepted, progress: 0 }));
      form.reset();
      setFraction(null);
    } catch (err) {
      setError(err);
      setFraction(null);
    } finally {
      setBusy(false);
    }
  };

  return html`<form onSubmit=${submit} aria-describedby="log-file-about">
    <p id="log-file-about">One JSON object per line with <code>timestamp</code>, <code>level</code> and <code>message</code> (and optionally <code>service</code>).</p>
    <div class="field">
      <label for="log-file">Log file (.jsonl)</label>
      <input id="log-file" name="log-file" type="file" accept=".jsonl" />
    </div>
    <${UploadProgress} fraction=${fraction} label="Log file upload" />
    <${ProblemMessage} error=${error} />
    <button type="submit" disabled=${busy}>Upload log file</button>
  </form>`;
}

function EntryFilters({ onApply }) {
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const instant = (name) => (form.get(name) ? new Date(String(form.get(name))).toISOString() : '');
    onApply({ level: form.get('level'), service: form.get('service').trim(), q: form.get('q').trim(), from: instant('from'), to: instant('to') });
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="Filter entries">
    <div class="field">
      <label for="level">Level</label>
      <select id="level" name="level"><option value="">any</option>${LEVELS.map((l) => html`<option value=${l}>${l}</option>`)}</select>
    </div>
    <${Field} id="service" label="Service" />
    <${Field} id="q" label="Text" type="search" hint="Words in the message" />
    <${Field} id="from" label="From (your time)" type="datetime-local" step="1" />
    <${Field} id="to" label="Before (your time)" type="datetime-local" step="1" />
    <button type="submit">Apply filters</button>
  </form>`;
}

function Entries({ id }) {
  const [filters, setFilters] = useState({});
  const pages = usePages((cursor) => api(`/jobs/${id}/entries${query({ ...filters, cursor, limit: 50 })}`), [id, JSON.stringify(filters)]);
  return html`<section aria-labelledby="entries-title" aria-busy=${pages.loading ? 'true' : 'false'}>
    <h2 id="entries-title">Entries</h2>
    <${EntryFilters} onApply=${setFilters} />
    <${ProblemMessage} error=${pages.error} />
    ${pages.page && pages.page.items.length === 0 ? html`<p>No entries match.</p>` : null}
    ${pages.page && pages.page.items.length > 0
      ? html`<div class="table-wrap"><table>
          <caption class="visually-hidden">Ingested entries, in line order</caption>
          <thead><tr><th scope="col">Line</th><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Service</th><th scope="col">Message</th></tr></thead>
          <tbody>${pages.page.items.map(
            (e) => html`<tr key=${e.line}><td>${e.line}</td><td><${DateTime} iso=${e.timestamp} /></td><td><span class=${`level level-${e.level}`}>${e.level}</span></td><td>${e.service ?? '—'}</td><td>${e.message}</td></tr>`,
          )}</tbody>
        </table></div>`
      : null}
    <${Pager} pages=${pages} label="Entries pages" />
  </section>`;
}

function Rejections({ id }) {
  const pages = usePages((cursor) => api(`/jobs/${id}/rejections${query({ cursor, limit: 50 })}`), [id]);
  const items = pages.page?.items ?? [];
  return html`<section aria-labelledby="rejections-title" aria-busy=${pages.loading ? 'true' : 'false'}>
    <h2 id="rejections-title">Rejected lines</h2>
    <${ProblemMessage} error=${pages.error} />
    ${pages.page && items.length === 0 ? html`<p>No line was rejected.</p>` : null}
    ${items.length > 0
      ? html`<div class="table-wrap"><table>
          <thead><tr><th scope="col">Line</th><th scope="col">Reason</th></tr></thead>
          <tbody>${items.map((r) => html`<tr key=${r.line}><td class="rejected-line">${r.line}</td><td>${r.reason}</td></tr>`)}</tbody>
        </table></div>
        <${Pager} pages=${pages} label="Rejections pages" />`
      : null}
  </section>`;
}

function JobPage({ id }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api(`/jobs/${id}`).then(setJob, setError);
  }, [id]);
  // After the one GET, Socket.IO keeps the page current: no polling.
  const live = useLiveStatus('job', id, job);
  if (error) return html`<main><${Heading}>Log file<//><${ProblemMessage} error=${error} /></main>`;
  if (!job || !live) return html`<main><${Heading}>Log file<//><p>Loading…</p></main>`;
  const counts = { lines_read: live.lines_read, entries_ingested: live.entries_ingested, lines_rejected: live.lines_rejected, ...live.counts };
  return html`<main>
    <${Heading}>Log file ${job.file_name}<//>
    <dl class="facts">
      <dt>Status</dt><dd><${StatusBadge} status=${live.status} /></dd>
      <dt>Progress</dt><dd><${Progress} label="Ingest progress" status=${live.status} progress=${live.progress} /></dd>
      <dt>Size</dt><dd>${formatBytes(job.size_bytes)}</dd>
      <dt>Uploaded</dt><dd><${DateTime} iso=${job.created_at} /></dd>
      <dt>Lines read</dt><dd>${formatNumber(counts.lines_read)}</dd>
      <dt>Entries</dt><dd>${formatNumber(counts.entries_ingested)}</dd>
      <dt>Rejected lines</dt><dd>${formatNumber(counts.lines_rejected)}</dd>
      ${live.error ? html`<dt>Error</dt><dd class="problem">${live.error}</dd>` : null}
    </dl>
    ${isTerminal(live.status) ? html`<${Entries} id=${id} /><${Rejections} id=${id} />` : html`<p>Entries appear here once the file is ingested.</p>`}
  </main>`;
}

export default {
  key: 'jobs',
  label: 'Log files',
  resource: 'job',
  list: async (limit = 50) => (await api(`/jobs?limit=${limit}`)).items.map(toRow),
  Create: UploadLog,
  createLabel: 'Upload a log file',
  routes: { 'jobs/:id': JobPage },
};
