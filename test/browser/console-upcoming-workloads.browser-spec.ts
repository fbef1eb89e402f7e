import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { wavHeader } from '../factories/audio-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { collectPageErrors, launchBrowser, screenshot, seriousViolations, signIn, type BrowserSession } from './browser';

// Series, tasks and transcriptions in the console.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

/** One second of a 440 Hz tone, 16 kHz mono 16-bit PCM WAV (the factories' header). */
function wavTone(seconds = 1): Buffer {
  const rate = 16_000;
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return Buffer.concat([wavHeader(data.length), data]);
}

/** 10 days of hourly readings: a trend plus a daily cycle, as `timestamp,value` CSV. */
function seriesCsv(): string {
  const start = Date.parse('2026-11-01T00:00:00Z');
  const lines = ['timestamp,value'];
  for (let h = 0; h < 240; h++) lines.push(`${new Date(start + h * 3600_000).toISOString()},${(20 + h * 0.02 + 5 * Math.sin((2 * Math.PI * h) / 24)).toFixed(3)}`);
  return `${lines.join('\n')}\n`;
}

describe('web console: series, tasks and transcriptions', () => {
  let app: TestApp;
  let browser: BrowserSession;
  let baseUrl: string;
  let page: Page;
  let pageErrors: string[];
  const user = { username: 'console-upcoming', password: 'user-password-1' };

  beforeAll(async () => {
    app = await createTestApp();
    browser = await launchBrowser();
    baseUrl = `http://127.0.0.1:${(app.app.getHttpServer().address() as { port: number }).port}`;
    await app.createUser(user.username, user.password);
  });
  afterAll(async () => {
    await browser.close();
    await app.close();
  });
  beforeEach(async () => {
    if (!browser) return;
    page = await browser.context.newPage();
    pageErrors = collectPageErrors(page);
  });
  afterEach(async () => {
    if (!page) return;
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('stores a CSV series and plots it with its forecast', async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.getByText('Store a time series').click();
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/series') && res.request().method() === 'POST');
    await page.getByLabel(/Series file/).setInputFiles({ name: 'temperature.csv', mimeType: 'text/csv', buffer: Buffer.from(seriesCsv()) });
    await page.getByRole('button', { name: 'Store series' }).click();
    const id = ((await (await answer).json()) as { id: string }).id;
    await page.locator(`tr[data-id="${id}"] a`).click();
    await page.locator('.forecast-summary').waitFor();
    // The chart is drawn: its canvas has painted pixels.
    await page.waitForFunction(() => {
      const canvas = document.querySelector('.plot canvas');
      if (!canvas) return false;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return painted > 500;
    });
    await page.getByRole('rowheader', { name: 'mean', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'series');
  });

  it('anonymises an image and shows it before and after', async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.getByText('Anonymise an image or video').click();
    // A real photo (NASA, public domain; see docs/tasks.md), so the counts and the result mean something.
    await page.getByLabel('Image or video').setInputFiles(join(__dirname, '../fixtures/tasks/astronaut.jpg'));
    const created = page.waitForResponse((res) => res.url().endsWith('/api/v1/tasks') && res.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create task and upload' }).click();
    const id = ((await (await created).json()) as { id: string }).id;
    await page.locator(`tr[data-id="${id}"] .status`, { hasText: /processed|failed/ }).waitFor({ timeout: 90000 });
    expect(await page.locator(`tr[data-id="${id}"] .status`).textContent()).toBe('processed');
    await page.locator(`tr[data-id="${id}"] a`).click();
    await page.getByRole('heading', { name: 'Anonymised objects' }).waitFor();
    expect(await page.locator('main').textContent()).toMatch(/[1-9]\d*\s*face/);
    await page.waitForFunction(() => [...document.querySelectorAll('.compare img')].filter((img: any) => img.complete && img.naturalWidth > 0).length === 2);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'task');
  });

  it('transcribes audio and searches the transcripts', async () => {
    await signIn(page, baseUrl, user.username, user.password, /Your work/);
    await page.getByText('Transcribe audio').click();
    const answer = page.waitForResponse((res) => res.url().endsWith('/api/v1/transcriptions') && res.request().method() === 'POST');
    await page.getByLabel(/Audio/).setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: wavTone() });
    await page.getByRole('button', { name: 'Upload audio' }).click();
    const id = ((await (await answer).json()) as { id: string }).id;
    await page.locator(`tr[data-id="${id}"] .status`, { hasText: /completed|failed/ }).waitFor({ timeout: 120000 });
    await page.locator(`tr[data-id="${id}"] a`).click();
    await page.getByRole('heading', { name: 'Transcript', exact: true }).waitFor();
    const text = (await page.locator('.transcript').textContent().catch(() => null))?.trim();
    await screenshot(page, 'transcription');

    await page.getByRole('link', { name: 'Search transcripts' }).click();
    const word = text?.match(/[A-Za-z]{3,}/)?.[0];
    await page.getByLabel('Words to find').fill(word ?? 'zebracrossing');
    await page.getByRole('button', { name: 'Search' }).click();
    // A tone may transcribe to nothing: then the search says so instead of listing a hit.
    if (word) await page.locator('.hits mark').first().waitFor();
    else await page.getByRole('status').filter({ hasText: 'No transcript matches' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'search');
  });
});
