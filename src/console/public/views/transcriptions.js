import { api, query, upload } from '../lib/api.js';
import { DateTime, Field, Heading, Pager, ProblemMessage, Progress, StatusBadge, UploadProgress, useLiveStatus, usePages } from '../lib/components.js';
import { formatNumber, formatSeconds } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/html.js';
import { isTerminal } from '../lib/realtime.js';

// Transcriptions (DESIGN §4): upload audio, read the transcript with segment times, search them all.

function toRow(t) {
  return { kind: 'Transcription', resource: 'transcription', id: t.id, name: t.file_name ?? t.id, status: t.status, created_at: t.created_at ?? new Date().toISOString(), href: `#/transcriptions/${t.id}` };
}

function UploadAudio({ onCreated }) {
  const [fraction, setFraction] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const file = form.elements['audio-file'].files[0];
    if (!file) return setError({ detail: 'Choose an audio file first.' });
    const body = new FormData();
    const language = form.elements.language.value.trim();
    if (language) body.append('language', language);
    body.append('file', file, file.name);
    setBusy(true);
    setError(null);
    setFraction(0);
    try {
      const accepted = await upload('/transcriptions', { body, onProgress: setFraction });
      onCreated(toRow({ ...accepted, file_name: file.name }));
      form.reset();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setFraction(null);
    }
  };

  return html`<form onSubmit=${submit}>
    <div class="field">
      <label for="audio-file">Audio (wav, mp3, ogg, flac)</label>
      <input id="audio-file" type="file" accept=".wav,.mp3,.ogg,.flac,audio/*" />
    </div>
    <${Field} id="language" label="Language (optional)" hint="e.g. en" autocomplete="off" />
    <${UploadProgress} fraction=${fraction} label="Audio upload" />
    <${ProblemMessage} error=${error} />
    <button type="submit" disabled=${busy}>Upload audio</button>
  </form>`;
}

function TranscriptionPage({ id }) {
  const [item, setItem] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api(`/transcriptions/${id}`).then(setItem, setError);
  useEffect(() => void load(), [id]);
  const live = useLiveStatus('transcription', id, item);
  useEffect(() => {
    if (item && live && isTerminal(live.status) && !isTerminal(item.status)) void load();
  }, [live?.status]);

  if (error) return html`<main><${Heading}>Transcription<//><${ProblemMessage} error=${error} /></main>`;
  if (!item || !live) return html`<main><${Heading}>Transcription<//><p>Loading…</p></main>`;
  return html`<main>
    <${Heading}>Transcription of ${item.file_name}<//>
    <dl class="facts">
      <dt>Status</dt><dd><${StatusBadge} status=${live.status} /></dd>
      <dt>Progress</dt><dd><${Progress} label="Transcription progress" status=${live.status} progress=${live.progress} /></dd>
      <dt>Language</dt><dd>${item.language ?? '—'}</dd>
      <dt>Duration</dt><dd>${item.duration_s != null ? `${formatNumber(item.duration_s)} s` : '—'}</dd>
      <dt>Engine</dt><dd>${item.engine ?? '—'}</dd>
      <dt>Uploaded</dt><dd><${DateTime} iso=${item.created_at} /></dd>
      ${live.error || item.error ? html`<dt>Error</dt><dd class="problem">${live.error || item.error}</dd>` : null}
    </dl>
    <section aria-labelledby="text-title">
      <h2 id="text-title">Transcript</h2>
      ${item.text ? html`<p class="transcript">${item.text}</p>` : html`<p>The text appears when the transcription completes.</p>`}
      ${(item.segments ?? []).length > 0
        ? html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Text</th></tr></thead>
            <tbody>${item.segments.map((s, i) => html`<tr key=${i}><td>${formatSeconds(s.start_s)}</td><td>${formatSeconds(s.end_s)}</td><td>${s.text}</td></tr>`)}</tbody>
          </table></div>`
        : null}
    </section>
  </main>`;
}

/** A snippet's highlight markers (`<b>`, as PostgreSQL's ts_headline writes them, or `<mark>`) as <mark>, everything else as text. */
export function Snippet({ text }) {
  const parts = String(text ?? '').split(/(<\/?(?:b|mark)>)/i);
  let marked = false;
  const out = [];
  for (const part of parts) {
    if (/^<(b|mark)>$/i.test(part)) marked = true;
    else if (/^<\/(b|mark)>$/i.test(part)) marked = false;
    else if (part) out.push(marked ? html`<mark>${part}</mark>` : part);
  }
  return html`<span>${out}</span>`;
}

function SearchPage() {
  const [q, setQ] = useState('');
  const pages = usePages((cursor) => (q ? api(`/transcriptions${query({ q, cursor, limit: 20 })}`) : Promise.resolve(null)), [q]);
  const submit = (event) => {
    event.preventDefault();
    setQ(new FormData(event.currentTarget).get('search').trim());
  };
  const items = pages.page?.items ?? [];
  return html`<main>
    <${Heading}>Search transcripts<//>
    <form role="search" onSubmit=${submit}>
      <${Field} id="search" label="Words to find" type="search" hint='Web search syntax: "a phrase", or, -word' />
      <button type="submit">Search</button>
    </form>
    <${ProblemMessage} error=${pages.error} />
    ${q && pages.page && items.length === 0 ? html`<p role="status">No transcript matches “${q}”.</p>` : null}
    ${items.length > 0
      ? html`<ol class="hits">${items.map(
          (hit) => html`<li key=${hit.id}><a href=${`#/transcriptions/${hit.id}`}>${hit.file_name ?? hit.id}</a> <small><${DateTime} iso=${hit.created_at} /></small><p class="snippet"><${Snippet} text=${hit.snippet} /></p></li>`,
        )}</ol>
        <${Pager} pages=${pages} label="Search result pages" />`
      : null}
  </main>`;
}

export default {
  key: 'transcriptions',
  label: 'Transcriptions',
  resource: 'transcription',
  list: async (limit = 50) => (await api(`/transcriptions?limit=${limit}`)).items.map(toRow),
  Create: UploadAudio,
  createLabel: 'Transcribe audio',
  routes: { 'transcriptions/search': SearchPage, 'transcriptions/:id': TranscriptionPage },
  nav: { href: '#/transcriptions/search', label: 'Search transcripts' },
};
