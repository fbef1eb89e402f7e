import type { Page } from 'playwright-core';
import { ADMIN, createTestApp, type TestApp } from '../utils/test-app';
import { collectPageErrors, launchBrowser, screenshot, seriousViolations, signIn, type BrowserSession } from './browser';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const sessionStorage: any;

// The console's account pages in a real chromium: an admin finds, disables and deletes users (after
// a confirmation naming what is erased); anyone changes their password and signs out for real.
describe('web console: users and account pages', () => {
  let app: TestApp;
  let browser: BrowserSession;
  let baseUrl: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    app = await createTestApp();
    browser = await launchBrowser();
    baseUrl = `http://127.0.0.1:${(app.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    page = await browser.context.newPage();
    pageErrors = collectPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  const meStatus = async (token: string) => (await app.http().get('/api/v1/users/me').set('authorization', `Bearer ${token}`)).status;
  const row = (username: string) => page.locator('table.users tr', { has: page.getByRole('cell', { name: username, exact: true }) });

  it('lists and finds users, disables and enables one (signing them out), and refuses to disable the last admin', async () => {
    const toggled = await app.createUser('console.toggled');
    await app.createUser('console.other');
    await signIn(page, baseUrl, ADMIN.username, ADMIN.password, /Users/);
    await row('console.toggled').waitFor();
    await page.getByLabel('Find users').fill('console.t');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('table.users tbody tr').length === 1);
    await row('console.toggled').getByRole('button', { name: 'Disable console.toggled' }).click();
    await row('console.toggled').getByRole('cell', { name: 'disabled' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/console\.toggled is disabled and signed out everywhere/);
    expect(await meStatus(toggled.token)).toBe(401);
    await row('console.toggled').getByRole('button', { name: 'Enable console.toggled' }).click();
    await row('console.toggled').getByRole('cell', { name: 'enabled' }).waitFor();
    await expect(app.tokenFor('console.toggled', 'user-password-1')).resolves.toEqual(expect.any(String));

    await page.getByLabel('Find users').fill('admin');
    await row('admin (you)').getByRole('button', { name: 'Disable admin' }).click();
    await page.getByRole('alert').filter({ hasText: 'last enabled admin' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('deletes a user after a confirmation that names what will be erased; the audit log shows it', async () => {
    const victim = await app.createUser('console.victim');
    await signIn(page, baseUrl, ADMIN.username, ADMIN.password, /Users/);
    await row('console.victim').getByRole('button', { name: 'Delete console.victim' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete console.victim?' });
    await dialog.waitFor();
    const text = await dialog.textContent();
    for (const what of ['log files', 'anonymisation tasks', 'ECGs', 'time series', 'audio uploads and their transcripts', 'cannot be undone']) expect(text).toContain(what);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'users-delete');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await meStatus(victim.token)).toBe(200); // cancelled: nothing happened

    await row('console.victim').getByRole('button', { name: 'Delete console.victim' }).click();
    await page.getByRole('button', { name: 'Delete console.victim and erase their data' }).click();
    await page.getByRole('status').filter({ hasText: 'console.victim is being deleted' }).waitFor();
    await row('console.victim').waitFor({ state: 'detached' });
    expect(await meStatus(victim.token)).toBe(401);
    await app.http().get(`/api/v1/users/${victim.id}`).set('authorization', `Bearer ${await app.adminToken()}`).expect(404);
    await page.locator('table.audit tr', { hasText: 'user.deleted' }).filter({ hasText: 'console.victim' }).waitFor();
  });

  it('changes the password: a wrong current one is shown beside its field, the other sessions end, this one stays', async () => {
    const alice = await app.createUser('console.alice', 'alice-password-1');
    await signIn(page, baseUrl, 'console.alice', 'alice-password-1', /Your work/);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password').fill('alice-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#current-password-error', { hasText: 'not your current password' }).waitFor();
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Current password').fill('alice-password-1');
    await page.getByLabel('New password').fill('alice-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password was changed' }).waitFor();
    await screenshot(page, 'account');
    expect(await meStatus(alice.token)).toBe(401); // the session created by the test, not this page's
    const mine = await page.evaluate(() => JSON.parse(sessionStorage.getItem('horizon.session')).token as string);
    expect(await meStatus(mine)).toBe(200);
    await expect(app.tokenFor('console.alice', 'alice-password-2')).resolves.toEqual(expect.any(String));
  });

  it('signs out by revoking the token on the server', async () => {
    await app.createUser('console.bob', 'bob-password-12');
    await signIn(page, baseUrl, 'console.bob', 'bob-password-12', /Your work/);
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('horizon.session')).token as string);
    expect(await meStatus(token)).toBe(200);
    const logout = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/logout'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await logout).status()).toBe(204);
    await page.getByRole('heading', { name: 'Sign in to Horizon' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/You signed out/);
    expect(await meStatus(token)).toBe(401);
  });
});
