import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

const body = (id: string) => ({ id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1] }] });

describe('DELETE /api/v1/ecgs/{id}', () => {
  let t: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(() => t.close());

  const as = (token: string) => ({
    submit: (id: string) => t.http().post('/api/v1/ecgs').set('authorization', `Bearer ${token}`).send(body(id)),
    get: (id: string) => t.http().get(`/api/v1/ecgs/${encodeURIComponent(id)}`).set('authorization', `Bearer ${token}`),
    del: (id: string) => t.http().delete(`/api/v1/ecgs/${encodeURIComponent(id)}`).set('authorization', `Bearer ${token}`),
  });
  const rows = async (sql: string, params: unknown[]): Promise<number> =>
    Number(((await t.app.get(DataSource).query(sql, params)) as { n: string }[])[0].n);
  const completed = (token: string, id: string) =>
    poll(async () => (await as(token).get(id).expect(200)).body as { status: string }, (b) => b.status === 'completed', `ECG ${id} completed`);

  it('answers 204 and removes the ECG, its leads and insights; then 404 everywhere, and the id can be reused', async () => {
    await as(alice.token).submit('to-delete').expect(202);
    await completed(alice.token, 'to-delete');

    await as(alice.token).del('to-delete').expect(204);

    expect((await as(alice.token).get('to-delete').expect(404)).body.code).toBe('ECG_NOT_FOUND');
    expect((await as(alice.token).del('to-delete').expect(404)).body.code).toBe('ECG_NOT_FOUND');
    const list = (await t.http().get('/api/v1/ecgs').set('authorization', `Bearer ${alice.token}`).expect(200)).body as { items: { id: string }[] };
    expect(list.items.map((e) => e.id)).not.toContain('to-delete');
    expect(await rows(`SELECT count(*) AS n FROM ecgs WHERE owner_id = $1 AND id = 'to-delete'`, [alice.id])).toBe(0);
    expect(await rows(`SELECT count(*) AS n FROM ecg_leads l LEFT JOIN ecgs e ON e.pk = l.ecg_pk WHERE e.pk IS NULL`, [])).toBe(0);
    await as(alice.token).submit('to-delete').expect(202);
  });

  it('answers 409 ECG_PROCESSING while a worker analyses it, and keeps it', async () => {
    await as(alice.token).submit('busy').expect(202);
    await completed(alice.token, 'busy');
    await t.app.get(DataSource).query(`UPDATE ecgs SET status = 'processing' WHERE owner_id = $1 AND id = 'busy'`, [alice.id]);

    const res = await as(alice.token).del('busy').expect(409);

    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('ECG_PROCESSING');
    await as(alice.token).get('busy').expect(200);
  });

  it("answers 404 for another user's ECG and leaves it alone", async () => {
    await as(bob.token).submit('bobs').expect(202);

    expect((await as(alice.token).del('bobs').expect(404)).body.code).toBe('ECG_NOT_FOUND');

    await as(bob.token).get('bobs').expect(200);
  });

  it('answers 404, not 500, for ids no ECG can have', async () => {
    for (const id of ['nope', 'a'.repeat(65), 'bad id']) {
      const res = await as(alice.token).del(id);
      expect([res.status, res.body.code]).toEqual([404, 'ECG_NOT_FOUND']);
    }
  });
});
