import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../utils/test-app';

const FILE = join(__dirname, '..', '..', 'openapi.json');

/** The committed openapi.json is the API as reviewers see it; it must match what the app serves. */
describe('OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the spec at /docs-json and it matches the committed openapi.json', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const served = `${JSON.stringify(res.body, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(FILE, served);
    const committed = readFileSync(FILE, 'utf8');
    expect(served).toBe(committed); // run `npm run openapi` to regenerate after an API change
  });

  it('documents bearer auth and the token route', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.paths['/api/v1/auth/token'].post.operationId).toBe('createToken');
  });
});
