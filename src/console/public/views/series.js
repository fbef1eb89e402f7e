import { api, query, upload } from '../lib/api.js';
import { DateTime, Heading, ProblemMessage, UploadProgress } from '../lib/components.js';
import { formatNumber } from '../lib/format.js';
import { html, useEffect, useRef, useState } from '../lib/html.js';

// Time series (DESIGN §4 series): store a CSV or JSON series, plot a downsampled read with the
// forecast and its 95 % band, list the metrics. uPlot is loaded only on this page.

const PLOT_POINTS = 1000;
const METRICS = ['count', 'min', 'max', 'mean', 'median', 'std', 'variance', 'rms', 'peak', 'peak_to_peak', 'crest_factor', 'skewness', 'kurtosis', 'p05', 'p95', 'duration_s', 'mean_interval_s', 'dominant_frequency_hz'];

function toRow(s) {
  return { kind: 'Series', resource: null, id: s.id, name: s.name || s.id, status: 'stored', progress: 100, created_at: s.created_at ?? new Date().toISOString(), href: `#/series/${s.id}` };
}

function StoreSeries({ onCreated }) {
  const [fraction, setFraction] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const file = form.elements['series-file'].files[0];
    if (!file) return setError({ detail: 'Choose a CSV (timestamp,value) or JSON file first.' });
    const json = file.name.toLowerCase().endsWith('.json') || file.type === 'application/json';
    setBusy(true);
    setError(null);
    setFraction(0);
    try {
      const created = await upload('/series', { body: file, contentType: json ? 'application/json' : 'text/csv', onProgress: setFraction });
      onCreated(toRow(created));
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
      <label for="series-file">Series file (CSV <code>timestamp,value</code>, or JSON)</label>
      <input id="series-file" type="file" accept=".csv,.json,text/csv,application/json" />
    </div>
    <${UploadProgress} fraction=${fraction} label="Series upload" />
    <${ProblemMessage} error=${error} />
    <button type="submit" disabled=${busy}>Store series</button>
  </form>`;
}

let uplotModule;
function loadUplot() {
  if (!uplotModule) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/console/vendor/uplot/uPlot.min.css';
    document.head.append(link);
    uplotModule = import('/console/vendor/uplot/uPlot.esm.js').then((m) => m.default);
  }
  return uplotModule;
}

/** The series and the forecast on one time axis; the interval is a band between upper and lower. */
function plotData(points, forecast) {
  const xs = [...points.map((p) => Date.parse(p.timestamp) / 1000), ...(forecast?.points ?? []).map((p) => Date.parse(p.timestamp) / 1000)];
  const gap = (n) => Array(n).fill(null);
  const f = forecast?.points ?? [];
  return [
    xs,
    [...points.map((p) => p.value), ...gap(f.length)],
    [...gap(points.length), ...f.map((p) => p.value)],
    [...gap(points.length), ...f.map((p) => p.lower)],
    [...gap(points.length), ...f.map((p) => p.upper)],
  ];
}

function Plot({ series, forecast }) {
  const box = useRef(null);
  useEffect(() => {
    let plot;
    let live = true;
    const onResize = () => plot?.setSize({ width: box.current.clientWidth, height: 320 });
    loadUplot().then((UPlot) => {
      if (!live) return;
      plot = new UPlot(
        {
          width: box.current.clientWidth,
          height: 320,
          series: [
            {},
            { label: series.unit ? `value (${series.unit})` : 'value', stroke: '#1d4ed8', width: 1.5 },
            { label: 'forecast', stroke: '#b45309', width: 1.5, dash: [6, 4] },
            { label: 'lower 95 %', stroke: '#d4a373' },
            { label: 'upper 95 %', stroke: '#d4a373' },
          ],
          bands: [{ series: [4, 3], fill: 'rgba(180, 83, 9, 0.15)' }],
        },
        plotData(series.points, forecast),
        box.current,
      );
      addEventListener('resize', onResize);
    });
    return () => {
      live = false;
      removeEventListener('resize', onResize);
      plot?.destroy();
    };
  }, [series, forecast]);
  return html`<figure class="plot"><div ref=${box} role="img" aria-label=${`Plot of ${series.name || 'the series'}${forecast ? ' with its forecast' : ''}`}></div></figure>`;
}

function SeriesPage({ id }) {
  const [series, setSeries] = useState(null);
  const [metrics, setMetrics] = useState(null);
  const [forecast, setForecast] = useState(null);
  const [options, setOptions] = useState({ horizon: 24, method: 'auto' });
  const [error, setError] = useState(null);
  const [forecastError, setForecastError] = useState(null);
  useEffect(() => {
    api(`/series/${id}${query({ max_points: PLOT_POINTS })}`).then(setSeries, setError);
    api(`/series/${id}/metrics`).then(setMetrics, setError);
  }, [id]);
  useEffect(() => {
    setForecastError(null);
    api(`/series/${id}/forecast${query(options)}`).then(setForecast, (err) => {
      setForecast(null);
      setForecastError(err);
    });
  }, [id, options.horizon, options.method]);
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setOptions({ horizon: Number(form.get('horizon')), method: form.get('method') });
  };

  if (error) return html`<main><${Heading}>Series<//><${ProblemMessage} error=${error} /></main>`;
  if (!series) return html`<main><${Heading}>Series<//><p>Loading…</p></main>`;
  return html`<main>
    <${Heading}>Series ${series.name || series.id}<//>
    <dl class="facts">
      <dt>Points</dt><dd>${formatNumber(series.count)}${series.points.length < series.count ? ` (plotted: ${formatNumber(series.points.length)}, extremes kept)` : ''}</dd>
      <dt>From</dt><dd><${DateTime} iso=${series.start} /></dd>
      <dt>To</dt><dd><${DateTime} iso=${series.end} /></dd>
      <dt>Unit</dt><dd>${series.unit ?? '—'}</dd>
    </dl>
    <${Plot} series=${series} forecast=${forecast} />
    <form class="filters" onSubmit=${submit} aria-label="Forecast options">
      <div class="field"><label for="horizon">Forecast horizon (points)</label><input id="horizon" name="horizon" type="number" min="1" max="10000" value=${options.horizon} /></div>
      <div class="field"><label for="forecast-method">Method</label><select id="forecast-method" name="method">${['auto', 'linear', 'holt', 'holt_winters'].map((m) => html`<option value=${m} selected=${m === options.method}>${m}</option>`)}</select></div>
      <button type="submit">Forecast</button>
    </form>
    <${ProblemMessage} error=${forecastError} />
    ${forecast ? html`<p class="forecast-summary">Forecast by <strong>${forecast.method}</strong>, ${formatNumber(forecast.horizon)} points ahead; back-test RMSE ${formatNumber(forecast.backtest?.rmse)}, MAE ${formatNumber(forecast.backtest?.mae)}.</p>` : null}
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">Metrics</h2>
      ${metrics
        ? html`<div class="table-wrap"><table class="metrics"><tbody>${METRICS.filter((k) => k in metrics).map(
            (k) => html`<tr><th scope="row">${k.replace(/_/g, ' ')}</th><td>${formatNumber(metrics[k])}</td></tr>`,
          )}</tbody></table></div>`
        : html`<p>Loading…</p>`}
    </section>
  </main>`;
}

export default {
  key: 'series',
  label: 'Time series',
  resource: null,
  list: async (limit = 50) => (await api(`/series?limit=${limit}`)).items.map(toRow),
  Create: StoreSeries,
  createLabel: 'Store a time series',
  routes: { 'series/:id': SeriesPage },
};
