import type { Page, Route } from 'playwright-core';
import { createTestApp, type TestApp } from '../utils/test-app';
import { pngImage } from './media';
import { collectPageErrors, launchBrowser, screenshot, seriousViolations, signIn, type BrowserSession } from './browser';

// The series, tasks and transcriptions views against DESIGN §4's shapes, answered by the browser
// itself (playwright's request interception) while those routes are built on other branches; the
// rest of the page talks to the real app. console-upcoming-workloads.browser-spec.ts runs the same
// flows against the real routes once they are merged.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const HOUR = 3600_000;
const START = Date.parse('2026-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const points = Array.from({ length: 240 }, (_, h) => ({ timestamp: iso(START + h * HOUR), value: 20 + h * 0.02 + 5 * Math.sin((2 * Math.PI * h) / 24) }));
const SERIES = { id: '6f1c2d7e-0000-4000-8000-000000000001', name: 'greenhouse temperature', unit: '°C', count: 240, start: points[0].timestamp, end: points[239].timestamp, created_at: '2026-11-20T09:00:00Z' };
const TASK = {
  id: '6f1c2d7e-0000-4000-8000-000000000002',
  status: 'processed',
  file_name: 'street.png',
  media_type: 'image',
  objects: ['face', 'license_plate'],
  method: 'blur',
  size_bytes: 2048,
  upload_time: '2026-11-21T09:00:00Z',
  processing_started_at: '2026-11-21T09:00:01Z',
  processing_finished_at: '2026-11-21T09:00:02Z',
  processing_time_ms: 850,
  anonymised_objects: { face: 2, license_plate: 1 },
  anonymised_total: 3,
  error: null,
};
const TRANSCRIPTION = {
  id: '6f1c2d7e-0000-4000-8000-000000000003',
  status: 'completed',
  file_name: 'standup.wav',
  language: 'en',
  duration_s: 6.4,
  text: 'Hello team. The deployment finished and the dashboards look healthy.',
  segments: [
    { start_s: 0, end_s: 1.2, text: 'Hello team.' },
    { start_s: 1.2, end_s: 6.4, text: 'The deployment finished and the dashboards look healthy.' },
  ],
  engine: 'vosk',
  error: null,
  created_at: '2026-11-22T09:00:00Z',
  completed_at: '2026-11-22T09:00:05Z',
};
const ORIGINAL = pngImage(320, 200);
const RESULT = pngImage(320, 200, true);
const NEW_TASK = '6f1c2d7e-0000-4000-8000-000000000004';

/** DESIGN §4 answers for the routes this branch does not have yet. */
async function contract(route: Route): Promise<void> {
  const url = new URL(route.request().url());
  const method = route.request().method();
  const path = url.pathname.replace('/api/v1', '');
  const json = (body: unknown, status = 200) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  if (method === 'GET' && path === '/series') return json({ items: [SERIES], next_cursor: null });
  if (method === 'GET' && path === `/series/${SERIES.id}`) return json({ ...SERIES, points });
  if (method === 'GET' && path === `/series/${SERIES.id}/metrics`) {
    return json({ count: 240, min: 15.1, max: 29.7, mean: 22.4, median: 22.3, std: 3.6, variance: 12.9, rms: 22.7, peak: 29.7, peak_to_peak: 14.6, crest_factor: 1.31, skewness: 0.02, kurtosis: 1.6, p05: 16.2, p95: 28.5, start: SERIES.start, end: SERIES.end, duration_s: 860400, mean_interval_s: 3600, dominant_frequency_hz: 1 / 86400 });
  }
  if (method === 'GET' && path === `/series/${SERIES.id}/forecast`) {
    const horizon = Number(url.searchParams.get('horizon') ?? 24);
    const ahead = Array.from({ length: horizon }, (_, i) => {
      const h = 240 + i;
      const value = 20 + h * 0.02 + 5 * Math.sin((2 * Math.PI * h) / 24);
      return { timestamp: iso(START + h * HOUR), value, lower: value - 1 - i * 0.05, upper: value + 1 + i * 0.05 };
    });
    return json({ method: 'holt_winters', horizon, points: ahead, backtest: { rmse: 0.42, mae: 0.33 } });
  }
  if (method === 'GET' && path === '/tasks') return json({ items: [TASK], next_cursor: null });
  if (method === 'GET' && path === `/tasks/${TASK.id}`) return json(TASK);
  if (method === 'GET' && (path === `/tasks/${TASK.id}/result` || path === `/tasks/${NEW_TASK}/result`)) return route.fulfill({ status: 200, contentType: 'image/png', body: RESULT });
  if (method === 'GET' && path === `/tasks/${NEW_TASK}`) return json({ ...TASK, id: NEW_TASK, file_name: 'car.png', objects: ['face', 'vehicle'], anonymised_objects: { face: 1, vehicle: 2 } });
  if (method === 'POST' && path === '/tasks') {
    const body = route.request().postDataJSON() as { file_name: string };
    return json({ ...TASK, id: NEW_TASK, file_name: body.file_name, status: 'new', upload_time: null, anonymised_objects: {}, links: { upload: `/api/v1/tasks/${NEW_TASK}/file` } }, 201);
  }
  if (method === 'PUT' && path === `/tasks/${NEW_TASK}/file`) {
    // The API checks the media type: the console must send the file's own.
    const type = route.request().headers()['content-type'];
    return type === 'image/png' ? json({ id: NEW_TASK, status: 'queued' }, 202) : json({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: `got ${type}` }, 415);
  }
  if (method === 'GET' && path === '/transcriptions' && url.searchParams.has('q')) {
    return json({ items: [{ ...TRANSCRIPTION, rank: 0.9, snippet: 'The <b>deployment</b> finished and the dashboards' }], next_cursor: null });
  }
  if (method === 'GET' && path === '/transcriptions') return json({ items: [TRANSCRIPTION], next_cursor: null });
  if (method === 'GET' && path === `/transcriptions/${TRANSCRIPTION.id}`) return json(TRANSCRIPTION);
  return route.fallback();
}

describe('web console: series, tasks and transcriptions views against the contract', () => {
  let app: TestApp;
  let browser: BrowserSession;
  let baseUrl: string;
  let page: Page;
  let pageErrors: string[];
  const user = { username: 'console-contract', password: 'user-password-1' };

  beforeAll(async () => {
    app = await createTestApp();
    browser = await launchBrowser();
    baseUrl = `http://127.0.0.1:${(app.app.getHttpServer().address() as { port: number }).port}`;
    await app.createUser(user.username, user.password);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    page = await browser.context.newPage();
    pageErrors = collectPageErrors(page);
    await page.route(/\/api\/v1\/(series|tasks|transcriptions)(\/|\?|$)/, contract);
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
  });
  afterEach(async () => {
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('lists every workload in one list, newest first', async () => {
    await page.locator('table.work tbody tr').first().waitFor();
    const kinds = await page.locator('table.work tbody tr td:first-child').allTextContents();
    expect(kinds).toEqual(['Transcription', 'Anonymisation', 'Series']);
  });

  it('plots a series with its forecast band and lists its metrics', async () => {
    await page.getByRole('link', { name: 'greenhouse temperature' }).click();
    await page.locator('.forecast-summary', { hasText: 'holt_winters' }).waitFor();
    await page.waitForFunction(() => {
      const canvas = document.querySelector('.plot canvas');
      if (!canvas) return false;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return painted > 500;
    });
    await page.getByRole('rowheader', { name: 'kurtosis' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'contract-series');
  });

  it('creates a task with its objects, uploads the file with its own type, and shows a result with counts', async () => {
    await page.getByText('Anonymise an image or video').click();
    await page.getByLabel('Image or video').setInputFiles({ name: 'car.png', mimeType: 'image/png', buffer: ORIGINAL });
    await page.getByLabel('Vehicles').check();
    const created = page.waitForRequest((req) => req.url().endsWith('/api/v1/tasks') && req.method() === 'POST');
    await page.getByRole('button', { name: 'Create task and upload' }).click();
    expect((await created).postDataJSON()).toMatchObject({ file_name: 'car.png', media_type: 'image', objects: ['face', 'vehicle'], method: 'blur' });
    await page.locator(`tr[data-id="${NEW_TASK}"] .status`, { hasText: 'queued' }).waitFor();

    // This tab uploaded it: the original is shown beside the result.
    await page.getByRole('link', { name: 'car.png' }).click();
    await page.locator('.counts', { hasText: 'vehicle' }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.compare img')].filter((img: any) => img.complete && img.naturalWidth === 320).length === 2);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'contract-task');
  });

  it('shows a transcript with segment times and highlights search hits', async () => {
    await page.getByRole('link', { name: 'standup.wav' }).click();
    await page.getByRole('cell', { name: 'Hello team.' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'contract-transcription');
    await page.getByRole('link', { name: 'Search transcripts' }).click();
    await page.getByLabel('Words to find').fill('deployment');
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.locator('.hits mark').first().textContent()).toBe('deployment');
    // The snippet's markup is rendered as text, never parsed as HTML.
    expect(await page.locator('.hits b').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'contract-search');
  });
});
