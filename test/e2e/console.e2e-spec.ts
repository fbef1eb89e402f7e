import { gzipSync } from 'node:zlib';
import { createTestApp, type TestApp } from '../utils/test-app';

// The console's static side; the browser tests (npm run test:browser) drive the page itself.
describe('web console (served by the gateway)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('redirects / to the console, without a token', async () => {
    const res = await app.http().get('/').expect(302);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves the page under a strict CSP: scripts and connections to this origin only', async () => {
    const res = await app.http().get('/console/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<script type="module" src="/console/app.js"></script>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    // No inline script in the page itself.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('serves the browser builds of its dependencies from node_modules', async () => {
    await app.http().get('/console/vendor/htm/standalone.module.js').expect(200).expect('content-type', /javascript/);
    await app.http().get('/console/vendor/socket.io/socket.io.esm.min.js').expect(200).expect('content-type', /javascript/);
    await app.http().get('/console/vendor/uplot/uPlot.esm.js').expect(200);
    await app.http().get('/console/vendor/uplot/no-such-file.js').expect(404);
  });

  it('keeps the first load under 200 KB of gzip-compressed JavaScript', async () => {
    const firstLoad = [
      '/console/app.js',
      '/console/lib/api.js',
      '/console/lib/components.js',
      '/console/lib/format.js',
      '/console/lib/html.js',
      '/console/lib/realtime.js',
      '/console/lib/session.js',
      '/console/views/auth.js',
      '/console/views/ecg.js',
      '/console/views/jobs.js',
      '/console/views/series.js',
      '/console/views/tasks.js',
      '/console/views/transcriptions.js',
      '/console/vendor/htm/standalone.module.js',
      '/console/vendor/socket.io/socket.io.esm.min.js',
    ];
    let compressed = 0;
    for (const path of firstLoad) {
      const res = await app.http().get(path).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      }).expect(200);
      compressed += gzipSync(res.body as Buffer).length;
    }
    expect(compressed).toBeLessThan(200 * 1024);
  });

  it('leaves the API answering problem+json under /api', async () => {
    const res = await app.http().get('/api/v1/no-such-route').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
