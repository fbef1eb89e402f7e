import { DataSource } from 'typeorm';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { SpeechToText } from '../../src/modules/transcriptions/engine/speech-to-text.service';
import { workloadSweeperToken } from '../../src/core/workload/workload';
import type { WorkloadSweeper } from '../../src/core/workload/workload-sweeper';
import { AUDIO_TEXTS, audioFixture, wavHeader } from '../factories/audio-fixtures';
import { poll } from '../utils/poll';
import { baseUrlOf, StatusClient } from '../utils/realtime-clients';
import { createTestApp, TestApp } from '../utils/test-app';
import { wordAccuracy } from '../utils/word-accuracy';

interface Word {
  word: string;
  start_s: number;
  end_s: number;
  confidence: number;
}
interface Segment {
  start_s: number;
  end_s: number;
  text: string;
  words: Word[];
}
type Body = Record<string, unknown> & {
  id: string;
  status: string;
  text: string;
  segments: Segment[];
  warnings: string[];
  duration_s: number;
  error: string | null;
  rank: number;
};
type User = { token: string };

// pocketsphinx gets about 85 % of flite's words right over these clips (the worst one ~65 %);
// below these the engine or our plumbing broke.
const MIN_CLIP_ACCURACY = 0.6;
const MIN_CORPUS_ACCURACY = 0.75;

describe('transcriptions with the real engine (pocketsphinx)', () => {
  let t: TestApp;
  let alice: User;
  let bob: User;
  let live: StatusClient;
  const ids: Record<string, string> = {};

  const as = (user: User) => ({ authorization: `Bearer ${user.token}` });
  const upload = (user: User, content: Buffer, name: string, language?: string) => {
    const req = t.http().post('/api/v1/transcriptions').set(as(user));
    if (language !== undefined) req.field('language', language);
    return req.attach('file', content, name);
  };
  const getBody = async (user: User, id: string): Promise<Body> =>
    (await t.http().get(`/api/v1/transcriptions/${id}`).set(as(user)).expect(200)).body;
  const waitFinished = (user: User, id: string, timeoutMs = 90_000): Promise<Body> =>
    poll(() => getBody(user, id), (b) => b.status === 'completed' || b.status === 'failed', `transcription ${id} finishes`, { timeoutMs, intervalMs: 100 });
  const storedKeys = async () => {
    const keys: string[] = [];
    for await (const o of t.app.get(ObjectStorage).list('transcriptions/')) keys.push(o.key);
    return keys;
  };
  const search = (user: User, q: string) => t.http().get('/api/v1/transcriptions').query({ q }).set(as(user));

  beforeAll(async () => {
    // Every fixture is under 5 s of speech; the limit makes longer audio cheap to test.
    t = await createTestApp({ STT_UPLOAD_MAX_BYTES: String(400 * 1024), STT_MAX_DURATION_S: '6' });
    alice = await t.createUser();
    bob = await t.createUser();
    live = await StatusClient.connect(baseUrlOf(t.app), alice.token);
    // Submitted together so the engine runs them while the first tests read the answers.
    for (const name of ['fox.wav', 'fox-chase.wav', 'weather.ogg', 'report.wav']) {
      const res = await upload(alice, audioFixture(name), name).expect(202);
      expect(res.body).toEqual({ id: expect.any(String), status: 'queued', links: { self: `/api/v1/transcriptions/${res.body.id}` } });
      ids[name] = res.body.id;
      expect(await live.subscribe('transcription', res.body.id)).toMatchObject({ ok: true, snapshot: { resource: 'transcription', id: res.body.id } });
    }
  }, 60_000);
  afterAll(async () => {
    live?.close();
    await t.close();
  });

  it.each(['fox.wav', 'fox-chase.wav', 'weather.ogg', 'report.wav'])('transcribes %s with most words right', async (name) => {
    const body = await waitFinished(alice, ids[name]);
    expect(body).toMatchObject({ status: 'completed', progress: 100, file_name: name, language: 'en', engine: 'pocketsphinx', error: null, warnings: [] });
    expect(body.completed_at).toEqual(expect.any(String));
    expect(wordAccuracy(AUDIO_TEXTS[name], body.text)).toBeGreaterThanOrEqual(MIN_CLIP_ACCURACY);
    expect(body.duration_s).toBeGreaterThan(2);
    expect(body.duration_s).toBeLessThan(8);
  });

  it('gets most words right over the whole corpus', async () => {
    const names = Object.keys(ids);
    const texts = await Promise.all(names.map(async (name) => (await waitFinished(alice, ids[name])).text as string));
    const reference = names.map((name) => AUDIO_TEXTS[name]).join(' ');
    expect(wordAccuracy(reference, texts.join(' '))).toBeGreaterThanOrEqual(MIN_CORPUS_ACCURACY);
  });

  it('streams status events like a job: processing with monotonic progress, then completed', async () => {
    const id = ids['report.wav'];
    const done = await live.waitFor('transcription', id, (e) => e.status === 'completed', 'completed event', 90_000);
    expect(done).toMatchObject({ type: 'status', resource: 'transcription', id, progress: 100 });
    expect(done).not.toHaveProperty('owner');
    const events = live.of('transcription', id);
    expect(events.some((e) => e.status === 'processing')).toBe(true);
    const progress = events.map((e) => e.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events[events.length - 1].status).toBe('completed');
  });

  it('answers segments in increasing time order, within the audio, that make up the text', async () => {
    const body = await waitFinished(alice, ids['fox-chase.wav']);
    expect(body.segments.length).toBeGreaterThan(0);
    let previousEnd = 0;
    for (const s of body.segments) {
      expect(s.start_s).toBeGreaterThanOrEqual(previousEnd);
      expect(s.end_s).toBeGreaterThan(s.start_s);
      previousEnd = s.end_s;
    }
    expect(previousEnd).toBeLessThanOrEqual(body.duration_s);
    expect(body.segments.map((s) => s.text).join(' ')).toBe(body.text);
  });

  it("answers each segment's words, timed within it, with the engine's confidence", async () => {
    const body = await waitFinished(alice, ids['fox-chase.wav']);
    for (const s of body.segments) {
      expect(s.words.map((w) => w.word).join(' ')).toBe(s.text);
      for (const w of s.words) {
        expect(w.start_s).toBeGreaterThanOrEqual(s.start_s);
        expect(w.end_s).toBeLessThanOrEqual(s.end_s);
        expect(w.confidence).toBeGreaterThanOrEqual(0);
        expect(w.confidence).toBeLessThanOrEqual(1);
      }
    }
    const confidences = body.segments.flatMap((s) => s.words.map((w) => w.confidence));
    // A real posterior, not a constant: clearly heard words score high, and not all alike.
    expect(Math.max(...confidences)).toBeGreaterThan(0.5);
    expect(new Set(confidences).size).toBeGreaterThan(1);
  });

  it('flags telephone (8 kHz) audio as narrowband instead of silently garbling it', async () => {
    const carol = await t.createUser(); // her own list, so alice's list and search tests stay as they are
    const id = (await upload(carol, audioFixture('report-telephone.wav'), 'call.wav').expect(202)).body.id;
    const body = await waitFinished(carol, id);
    expect(body).toMatchObject({ status: 'completed', warnings: ['narrowband audio: accuracy will be low'], error: null });
    expect(body.duration_s).toBeGreaterThan(4);
  });

  describe('search', () => {
    beforeAll(async () => {
      for (const id of Object.values(ids)) await waitFinished(alice, id);
    });

    it('finds a stemmed word (foxes finds fox) and ranks the better match first', async () => {
      const res = await search(alice, 'foxes').expect(200);
      expect(res.body.items.map((i: Body) => i.id)).toEqual([ids['fox-chase.wav'], ids['fox.wav']]);
      expect(res.body.items[0].rank).toBeGreaterThan(res.body.items[1].rank);
      expect(res.body.items[1].snippet).toContain('**fox**');
      expect(res.body.items[0]).not.toHaveProperty('text');
    });

    it('speaks web search syntax: a quoted phrase, or, -word', async () => {
      expect((await search(alice, '"quarterly report"').expect(200)).body.items.map((i: Body) => i.id)).toEqual([ids['report.wav']]);
      const either = (await search(alice, 'weather or finance').expect(200)).body.items.map((i: Body) => i.id);
      expect(either.sort()).toEqual([ids['report.wav'], ids['weather.ogg']].sort());
      expect((await search(alice, 'fox -dog').expect(200)).body.items.map((i: Body) => i.id)).toEqual([ids['fox-chase.wav']]);
    });

    it('pages through hits without repeating one', async () => {
      const first = await t.http().get('/api/v1/transcriptions').query({ q: 'fox', limit: 1 }).set(as(alice)).expect(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await t.http().get('/api/v1/transcriptions').query({ q: 'fox', limit: 1, cursor: first.body.next_cursor }).set(as(alice)).expect(200);
      expect(second.body.items.map((i: Body) => i.id)).toEqual([ids['fox.wav']]);
      expect(second.body.next_cursor).toBeNull();
    });

    it('answers an empty list for stop words only, and 422 for an empty or blank q', async () => {
      expect((await search(alice, 'the and of').expect(200)).body).toEqual({ items: [], next_cursor: null });
      for (const q of ['', '   ']) {
        const res = await search(alice, q).expect(422);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'q' }] });
      }
    });

    it("never shows another user's transcripts", async () => {
      expect((await search(bob, 'fox').expect(200)).body.items).toEqual([]);
    });

    it('refuses a forged cursor with 422', async () => {
      const cursor = Buffer.from(JSON.stringify({ rank: 'x', created_at: 'now', id: 'nope' })).toString('base64url');
      await t.http().get('/api/v1/transcriptions').query({ q: 'fox', cursor }).set(as(alice)).expect(422);
    });
  });

  it('lists your transcriptions newest first, paginated', async () => {
    const first = await t.http().get('/api/v1/transcriptions?limit=3').set(as(alice)).expect(200);
    expect(first.body.items.map((i: Body) => i.id)).toEqual([ids['report.wav'], ids['weather.ogg'], ids['fox-chase.wav']]);
    const rest = await t.http().get(`/api/v1/transcriptions?limit=3&cursor=${first.body.next_cursor}`).set(as(alice)).expect(200);
    expect(rest.body.items.map((i: Body) => i.id)).toEqual([ids['fox.wav']]);
    expect(rest.body.next_cursor).toBeNull();
  });

  it("answers 404 for another user's transcription, on every route", async () => {
    const id = ids['fox.wav'];
    const res = await t.http().get(`/api/v1/transcriptions/${id}`).set(as(bob)).expect(404);
    expect(res.body.code).toBe('TRANSCRIPTION_NOT_FOUND');
    await t.http().delete(`/api/v1/transcriptions/${id}`).set(as(bob)).expect(404);
    await t.http().get('/api/v1/transcriptions/not-a-uuid').set(as(alice)).expect(404);
  });

  it('refuses admins (403)', async () => {
    await t.http().get('/api/v1/transcriptions').set('authorization', `Bearer ${await t.adminToken()}`).expect(403);
  });

  describe('refused uploads leave neither row nor object', () => {
    let before: { keys: string[]; count: number };
    beforeAll(async () => {
      before = { keys: await storedKeys(), count: (await t.http().get('/api/v1/transcriptions').set(as(alice))).body.items.length };
    });
    afterAll(async () => {
      expect(await storedKeys()).toEqual(before.keys);
      expect((await t.http().get('/api/v1/transcriptions').set(as(alice))).body.items).toHaveLength(before.count);
    });

    it('415 for a text file renamed .wav', async () => {
      const res = await upload(alice, Buffer.from('this is plainly not audio, whatever its name says\n'.repeat(50)), 'speech.wav').expect(415);
      expect(res.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('413 over STT_UPLOAD_MAX_BYTES', async () => {
      const big = Buffer.concat([wavHeader(500 * 1024), Buffer.alloc(500 * 1024)]);
      await upload(alice, big, 'long.wav').expect(413);
    });

    it('422 for an unsupported language, listing the supported ones, whether sent before or after the file', async () => {
      const before = await upload(alice, audioFixture('fox.wav'), 'fox.wav', 'fr').expect(422);
      expect(before.body.errors).toEqual([{ path: 'language', message: 'language must be one of: en' }]);
      const after = await t.http().post('/api/v1/transcriptions').set(as(alice)).attach('file', audioFixture('fox.wav'), 'fox.wav').field('language', 'xx').expect(422);
      expect(after.body.detail).toBe('Language "xx" is not supported; use one of: en.');
    });

    it('422 for an empty file or no file', async () => {
      await upload(alice, Buffer.alloc(0), 'empty.wav').expect(422);
      await t.http().post('/api/v1/transcriptions').set(as(alice)).field('language', 'en').expect(422);
    });
  });

  it("fails undecodable audio with the converter's reason", async () => {
    const corrupt = Buffer.concat([wavHeader(64_000), Buffer.from('garbage that is not a sample stream at all')]);
    corrupt.writeUInt16LE(0x7777, 20); // an audio format code no decoder knows
    const id = (await upload(alice, corrupt, 'corrupt.wav').expect(202)).body.id;
    const body = await waitFinished(alice, id);
    expect(body.status).toBe('failed');
    expect(body.error).toMatch(/^The audio could not be decoded: .+/);
  });

  it("never shows the engine's or a driver's internal text when the retries are spent, on REST or realtime", async () => {
    const crash = jest
      .spyOn(t.app.get(SpeechToText), 'transcribe')
      .mockRejectedValue(Object.assign(new Error('pocketsphinx crashed: /usr/share/pocketsphinx/model/en-us/mdef (errno 11)'), { code: 'ESEGV' }));
    const client = await StatusClient.connect(baseUrlOf(t.app), alice.token);
    try {
      const id = (await upload(alice, audioFixture('fox.wav'), 'crashing.wav').expect(202)).body.id;
      await client.subscribe('transcription', id);
      const body = await waitFinished(alice, id);
      expect(body.status).toBe('failed');
      expect(body.error).toBe('Processing failed after 3 attempts: an internal error (logged on the server). It will not be retried.');
      expect(body.error).not.toMatch(/pocketsphinx|\/usr|mdef|errno/);
      await client.waitFor('transcription', id, (e) => e.status === 'failed', 'the failed event');
      expect(client.of('transcription', id).at(-1)).toMatchObject({ status: 'failed', error: body.error });
    } finally {
      crash.mockRestore();
      client.close();
    }
  });

  it('fails audio longer than STT_MAX_DURATION_S with the limit in the error', async () => {
    const samples = audioFixture('fox.wav').subarray(44);
    const long = Buffer.concat([wavHeader(samples.length * 3), samples, samples, samples]); // ~8.9 s
    const id = (await upload(alice, long, 'long.wav').expect(202)).body.id;
    const body = await waitFinished(alice, id);
    expect(body).toMatchObject({ status: 'failed', text: null, segments: [] });
    expect(body.error).toBe('The audio is longer than 6 s (STT_MAX_DURATION_S); split it or raise the limit.');
  });

  it('recovers a transcription stuck in queued (lost message) and re-runs it without duplicating anything', async () => {
    const id = ids['fox.wav'];
    const first = await waitFinished(alice, id);
    const rows = t.app.get(DataSource);
    // What a lost publish leaves behind: a queued row nobody will ever receive a message for.
    await rows.query(
      `UPDATE transcriptions SET status = 'queued', text = NULL, segments = NULL, words = NULL, completed_at = NULL,
              updated_at = now() - interval '10 minutes' WHERE id = $1`,
      [id],
    );
    expect(await t.app.get<WorkloadSweeper<never, never>>(workloadSweeperToken('transcription')).sweep()).toEqual({ failed: 0, republished: 1 });
    const again = await waitFinished(alice, id);
    expect(again).toMatchObject({ status: 'completed', text: first.text, segments: first.segments });
    expect((await search(alice, 'lazy dog').expect(200)).body.items.map((i: Body) => i.id)).toEqual([id]);
  });

  it('deletes a transcription with its audio (204, then 404), and refuses while it is processing (409)', async () => {
    const id = ids['weather.ogg'];
    const rows = t.app.get(DataSource);
    await rows.query(`UPDATE transcriptions SET status = 'processing' WHERE id = $1`, [id]);
    const conflict = await t.http().delete(`/api/v1/transcriptions/${id}`).set(as(alice)).expect(409);
    expect(conflict.body.code).toBe('TRANSCRIPTION_PROCESSING');
    await rows.query(`UPDATE transcriptions SET status = 'completed' WHERE id = $1`, [id]);

    await t.http().delete(`/api/v1/transcriptions/${id}`).set(as(alice)).expect(204);
    await t.http().get(`/api/v1/transcriptions/${id}`).set(as(alice)).expect(404);
    expect((await storedKeys()).some((k) => k.includes(id))).toBe(false);
    expect((await search(alice, 'weather').expect(200)).body.items).toEqual([]);
  });
});

describe('transcriptions without the engine installed', () => {
  let t: TestApp;
  let user: User;
  beforeAll(async () => {
    t = await createTestApp({ STT_POCKETSPHINX_BIN: '/nonexistent/pocketsphinx_continuous' });
    user = await t.createUser();
  });
  afterAll(() => t.close());

  it('fails the transcription at once with a clear error, and the API stays ready', async () => {
    const res = await t
      .http()
      .post('/api/v1/transcriptions')
      .set('authorization', `Bearer ${user.token}`)
      .attach('file', audioFixture('fox.wav'), 'fox.wav')
      .expect(202);
    const body = await poll(
      async () => (await t.http().get(`/api/v1/transcriptions/${res.body.id}`).set('authorization', `Bearer ${user.token}`).expect(200)).body as Body,
      (b) => b.status === 'failed',
      'the transcription fails',
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(body.status).toBe('failed');
    expect(body.error).toMatch(/^speech-to-text engine not installed: \/nonexistent\/pocketsphinx_continuous was not found; install the Debian packages pocketsphinx and pocketsphinx-en-us/);

    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.speech_to_text).toMatchObject({ status: 'up', engine: 'pocketsphinx', installed: false });
    expect(ready.body.details.speech_to_text.message).toMatch(/^speech-to-text engine not installed/);
  });
});
