import { api, ApiError } from '../lib/api.js';
import { DateTime, Heading, ProblemMessage, Progress, StatusBadge, useLiveStatus } from '../lib/components.js';
import { formatNumber } from '../lib/format.js';
import { html, useEffect, useState } from '../lib/html.js';
import { isTerminal } from '../lib/realtime.js';

// ECGs: submit leads of integer samples as JSON, read per-lead insights and the heart rate.

function toRow(ecg) {
  return { kind: 'ECG', resource: 'ecg', id: ecg.id, name: ecg.id, status: ecg.status, created_at: ecg.created_at ?? new Date().toISOString(), href: `#/ecgs/${encodeURIComponent(ecg.id)}` };
}

/** A synthetic 10 s, 250 Hz, 72 bpm rhythm (Gaussian P, Q, R, S and T waves) to try the form with. */
function exampleEcg() {
  const fs = 250;
  const rr = 60 / 72;
  const waves = [
    [-0.17, 0.025, 150],
    [-0.028, 0.008, -120],
    [0, 0.01, 1000],
    [0.03, 0.01, -250],
    [0.3, 0.045, 300],
  ];
  const lead = (gain) =>
    Array.from({ length: fs * 10 }, (_, i) => {
      const t = i / fs;
      const beat = Math.round(t / rr) * rr + 0.4;
      let v = -40;
      for (const at of [beat - rr, beat, beat + rr]) for (const [offset, width, height] of waves) v += height * Math.exp(-((t - at - offset) ** 2) / (2 * width * width));
      return Math.round(v * gain);
    });
  return { id: `example-${Date.now()}`, date: new Date().toISOString(), sampling_rate_hz: fs, leads: [{ name: 'I', signal: lead(0.6) }, { name: 'II', signal: lead(1) }] };
}

function SubmitEcg({ onCreated }) {
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (event) => {
    const file = event.currentTarget.files[0];
    if (file) setText(await file.text());
  };
  const submit = async (event) => {
    event.preventDefault();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return setError(new ApiError(400, { detail: 'That is not valid JSON.' }));
    }
    setBusy(true);
    setError(null);
    try {
      const accepted = await api('/ecgs', { method: 'POST', json: body });
      onCreated(toRow(accepted));
      setText('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<form onSubmit=${submit}>
    <p id="ecg-about"><code>{"date", "sampling_rate_hz"?, "leads": [{"name": "II", "signal": [integers]}]}</code>; with a sampling rate the heart rate is computed too.</p>
    <div class="field">
      <label for="ecg-file">ECG file (.json)</label>
      <input id="ecg-file" type="file" accept=".json,application/json" onChange=${readFile} />
    </div>
    <div class="field">
      <label for="ecg-json">ECG as JSON</label>
      <textarea id="ecg-json" rows="6" spellcheck="false" aria-describedby="ecg-about" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
    </div>
    <${ProblemMessage} error=${error} />
    <div class="buttons">
      <button type="button" class="secondary" onClick=${() => setText(JSON.stringify(exampleEcg()))}>Fill in an example</button>
      <button type="submit" disabled=${busy || !text.trim()}>Submit ECG</button>
    </div>
  </form>`;
}

const BASE_KEYS = new Set(['name', 'number_of_samples']);

function EcgPage({ id }) {
  const [ecg, setEcg] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api(`/ecgs/${encodeURIComponent(id)}`).then(setEcg, setError);
  useEffect(() => void load(), [id]);
  const live = useLiveStatus('ecg', id, ecg);
  // Insights are in the resource, not in the event: read it once more when the work completes.
  useEffect(() => {
    if (ecg && live && isTerminal(live.status) && !isTerminal(ecg.status)) void load();
  }, [live?.status]);

  if (error) return html`<main><${Heading}>ECG<//><${ProblemMessage} error=${error} /></main>`;
  if (!ecg || !live) return html`<main><${Heading}>ECG<//><p>Loading…</p></main>`;
  const insightKeys = [...new Set(ecg.leads.flatMap((lead) => Object.keys(lead).filter((k) => !BASE_KEYS.has(k))))];
  return html`<main>
    <${Heading}>ECG ${ecg.id}<//>
    <dl class="facts">
      <dt>Status</dt><dd><${StatusBadge} status=${live.status} /></dd>
      <dt>Progress</dt><dd><${Progress} label="Analysis progress" status=${live.status} /></dd>
      <dt>Recorded</dt><dd><${DateTime} iso=${ecg.date} /></dd>
      <dt>Sampling rate</dt><dd>${ecg.sampling_rate_hz ? `${formatNumber(ecg.sampling_rate_hz)} Hz` : 'not given'}</dd>
      <dt>Heart rate</dt><dd class="heart-rate">${ecg.heart_rate_bpm !== undefined ? `${formatNumber(Math.round(ecg.heart_rate_bpm * 10) / 10)} bpm` : '—'}</dd>
      <dt>Processed</dt><dd><${DateTime} iso=${ecg.processed_at} /></dd>
      ${live.error || ecg.error ? html`<dt>Error</dt><dd class="problem">${live.error || ecg.error}</dd>` : null}
    </dl>
    <section aria-labelledby="leads-title">
      <h2 id="leads-title">Insights per lead</h2>
      <div class="table-wrap"><table class="insights">
        <thead><tr><th scope="col">Lead</th><th scope="col">Samples</th>${insightKeys.map((k) => html`<th scope="col">${k.replace(/_/g, ' ')}</th>`)}</tr></thead>
        <tbody>${ecg.leads.map(
          (lead) => html`<tr key=${lead.name}><th scope="row">${lead.name}</th><td>${formatNumber(lead.number_of_samples)}</td>${insightKeys.map((k) => html`<td>${formatNumber(lead[k])}</td>`)}</tr>`,
        )}</tbody>
      </table></div>
      ${ecg.status !== 'completed' ? html`<p>Insights appear when the analysis completes.</p>` : null}
    </section>
  </main>`;
}

export default {
  key: 'ecgs',
  label: 'ECGs',
  resource: 'ecg',
  list: async (limit = 50) => (await api(`/ecgs?limit=${limit}`)).items.map(toRow),
  Create: SubmitEcg,
  createLabel: 'Submit an ECG',
  routes: { 'ecgs/:id': EcgPage },
};
