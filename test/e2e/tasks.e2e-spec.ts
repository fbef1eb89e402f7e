import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { runFfmpeg } from '../../src/core/media/ffmpeg';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import type { TaskResponseDto } from '../../src/modules/tasks/dto/task.dto';
import { astronautJpeg, carJpeg, carWithPlate, meanDifference, pngHeaderOnly, SYNTHETIC_PLATE } from '../factories/task-media.factory';
import { poll } from '../utils/poll';
import { baseUrlOf, StatusClient } from '../utils/realtime-clients';
import { createTestApp, TestApp } from '../utils/test-app';

type User = { token: string };

const binary = (res: import('superagent').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('tasks: image and video anonymisation', () => {
  let t: TestApp;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_BYTES: String(2 * 1024 * 1024), TASKS_MAX_PIXELS: String(20_000_000) });
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(() => t.close());

  const as = (user: User) => ({ authorization: `Bearer ${user.token}` });
  const create = (user: User, body: object) => t.http().post('/api/v1/tasks').set(as(user)).send(body);
  const newTask = async (user: User, body: object = {}) =>
    (await create(user, { file_name: 'photo.jpg', media_type: 'image', objects: ['face', 'person'], ...body }).expect(201)).body;
  const put = (user: User, id: string, bytes: Buffer, type = 'application/octet-stream') =>
    t.http().put(`/api/v1/tasks/${id}/file`).set(as(user)).set('content-type', type).send(bytes);

  const waitForTerminal = (user: User, id: string, timeoutMs = 90_000): Promise<TaskResponseDto> =>
    poll(
      async () => (await t.http().get(`/api/v1/tasks/${id}`).set(as(user)).expect(200)).body as TaskResponseDto,
      (task) => ['processed', 'failed'].includes(task.status),
      `task ${id} is processed or failed`,
      { timeoutMs, intervalMs: 100 },
    );
  const download = (user: User, id: string) => t.http().get(`/api/v1/tasks/${id}/result`).set(as(user)).buffer(true).parse(binary);

  describe('creating a task', () => {
    it('answers 201 with status new and an upload link', async () => {
      const res = await create(alice, { file_name: 'street.jpg', media_type: 'image', objects: ['face', 'license_plate'] }).expect(201);
      expect(res.body).toMatchObject({
        status: 'new',
        file_name: 'street.jpg',
        media_type: 'image',
        objects: ['face', 'license_plate'],
        method: 'pixelate',
        quality: 85,
        anonymised_objects: null,
        anonymised_total: null,
        links: { upload: `/api/v1/tasks/${res.body.id}/file`, result: `/api/v1/tasks/${res.body.id}/result` },
      });
    });

    it.each([
      ['an unknown object', { objects: ['cat'] }, 'objects'],
      ['no objects', { objects: [] }, 'objects'],
      ['a repeated object', { objects: ['face', 'face'] }, 'objects'],
      ['a media type other than image or video', { media_type: 'audio' }, 'media_type'],
      ['an unknown method', { method: 'smudge' }, 'method'],
      ['a quality over 100', { quality: 101 }, 'quality'],
      ['a quality of 0', { quality: 0 }, 'quality'],
    ])('refuses %s with 422 naming the field', async (_, patch, path) => {
      const res = await create(alice, { file_name: 'x.jpg', media_type: 'image', objects: ['face'], ...patch }).expect(422);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    });

    it('is refused to admins (403)', async () => {
      await t.http().post('/api/v1/tasks').set('authorization', `Bearer ${await t.adminToken()}`).send({ file_name: 'a.jpg', media_type: 'image', objects: ['face'] }).expect(403);
    });
  });

  describe('uploading', () => {
    it('refuses bytes that are not an image (415) and leaves the task new', async () => {
      const task = await newTask(alice);
      const res = await put(alice, task.id, Buffer.from('{"not": "an image, just some json text padded to be long enough to sniff"}')).expect(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await t.http().get(`/api/v1/tasks/${task.id}`).set(as(alice)).expect(200)).body.status).toBe('new');
    });

    it('refuses a real image on a video task (415)', async () => {
      const task = await newTask(alice, { media_type: 'video', file_name: 'clip.mp4' });
      const res = await put(alice, task.id, astronautJpeg(), 'image/jpeg').expect(415);
      expect(res.body.detail).toMatch(/image\/jpeg.*video/);
    });

    it('refuses an image over the pixel limit before decoding it (413)', async () => {
      const task = await newTask(alice, { file_name: 'bomb.png' });
      const res = await put(alice, task.id, pngHeaderOnly(50_000, 50_000), 'image/png').expect(413);
      expect(res.body.code).toBe('IMAGE_TOO_LARGE');
    });

    it('refuses a file over UPLOAD_MAX_BYTES (413)', async () => {
      const task = await newTask(alice);
      const big = Buffer.concat([astronautJpeg(), Buffer.alloc(2 * 1024 * 1024)]);
      await put(alice, task.id, big).expect(413);
    });

    it('refuses an empty file (422)', async () => {
      const task = await newTask(alice);
      const res = await put(alice, task.id, Buffer.alloc(0), 'image/jpeg').expect(422);
      expect(res.body.errors).toEqual([{ path: 'file', message: 'file is empty' }]);
    });

    it('refuses a body type the route does not take (415)', async () => {
      const task = await newTask(alice);
      await t.http().put(`/api/v1/tasks/${task.id}/file`).set(as(alice)).set('content-type', 'text/plain').send('hello').expect(415);
    });

    it("answers 404 for another user's task and for an unknown id", async () => {
      const task = await newTask(alice);
      await put(bob, task.id, astronautJpeg()).expect(404);
      await put(alice, '00000000-0000-4000-8000-000000000000', astronautJpeg()).expect(404);
      await put(alice, 'not-a-uuid', astronautJpeg()).expect(404);
    });
  });

  describe('a photo with a person and a face', () => {
    let id: string;
    let info: TaskResponseDto;
    beforeAll(async () => {
      const task = await newTask(alice, { file_name: 'astronaut.jpg', objects: ['face', 'person'], method: 'pixelate' });
      id = task.id;
      const res = await t.http().put(`/api/v1/tasks/${id}/file`).set(as(alice)).attach('file', astronautJpeg(), 'astronaut.jpg').expect(202);
      expect(res.body).toMatchObject({ id, status: 'queued', size_bytes: astronautJpeg().length, content_type: 'image/jpeg' });
      info = await waitForTerminal(alice, id);
    });

    it('is processed with at least one face and one person', () => {
      expect(info).toMatchObject({ status: 'processed', error: null, media: { width: 512, height: 512, frames: null } });
      const { face = 0, person = 0 } = info.anonymised_objects ?? {};
      expect(face).toBeGreaterThanOrEqual(1);
      expect(person).toBeGreaterThanOrEqual(1);
      expect(info.anonymised_total).toBe(face + person);
      expect(info.processing_time_ms).toBeGreaterThanOrEqual(0);
      expect(new Date(info.processing_finished_at ?? 0).getTime()).toBeGreaterThanOrEqual(new Date(info.processing_started_at ?? 0).getTime());
      expect(info.upload_time).not.toBeNull();
      expect(info.engine?.name).toMatch(/faceboxes/);
    });

    it('serves a result whose pixels changed on the face and nowhere outside the person', async () => {
      const res = await download(alice, id).expect(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['content-disposition']).toContain('astronaut.anonymised.jpg');
      const result = res.body as Buffer;
      const original = astronautJpeg();
      expect(await meanDifference(original, result, { x: 170, y: 70, width: 110, height: 110 })).toBeGreaterThan(12);
      // Right of the person's box (x > 370): only JPEG re-encoding noise.
      expect(await meanDifference(original, result, { x: 420, y: 40, width: 80, height: 120 })).toBeLessThan(4);
    });

    it('refuses a second upload (409)', async () => {
      const res = await put(alice, id, astronautJpeg()).expect(409);
      expect(res.body.code).toBe('TASK_ALREADY_UPLOADED');
    });

    it("is another user's 404", async () => {
      await t.http().get(`/api/v1/tasks/${id}`).set(as(bob)).expect(404);
      await t.http().get(`/api/v1/tasks/${id}/result`).set(as(bob)).expect(404);
      await t.http().delete(`/api/v1/tasks/${id}`).set(as(bob)).expect(404);
    });

    it('lists among the owner\'s tasks, filtered by status', async () => {
      const processed = await t.http().get('/api/v1/tasks?status=processed').set(as(alice)).expect(200);
      expect(processed.body.items.map((i: { id: string }) => i.id)).toContain(id);
      expect(processed.body.items.every((i: { status: string }) => i.status === 'processed')).toBe(true);
      const page = await t.http().get('/api/v1/tasks?limit=1').set(as(alice)).expect(200);
      expect(page.body.items).toHaveLength(1);
      expect(page.body.next_cursor).toEqual(expect.any(String));
      await t.http().get('/api/v1/tasks?status=bogus').set(as(alice)).expect(422);
      expect((await t.http().get('/api/v1/tasks').set(as(bob)).expect(200)).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    });

    it('answers 503 TASK_RESULT_MISSING, not a 500, when the result object is gone from storage', async () => {
      const storage = t.app.get(ObjectStorage);
      const kept = await storage.get(`tasks/${id}/result.jpg`);
      const bytes: Buffer[] = [];
      for await (const chunk of kept) bytes.push(chunk as Buffer);
      await storage.delete(`tasks/${id}/result.jpg`);
      const res = await t.http().get(`/api/v1/tasks/${id}/result`).set(as(alice)).expect(503);
      expect(res.body.code).toBe('TASK_RESULT_MISSING');
      await storage.put(`tasks/${id}/result.jpg`, Readable.from(Buffer.concat(bytes)), { contentType: 'image/jpeg' });
      await download(alice, id).expect(200);
    });

    it('deletes the binaries but keeps the processing info', async () => {
      await t.http().delete(`/api/v1/tasks/${id}`).set(as(alice)).expect(204);
      const after = await t.http().get(`/api/v1/tasks/${id}`).set(as(alice)).expect(200);
      expect(after.body).toMatchObject({ status: 'deleted', anonymised_objects: info.anonymised_objects, processing_time_ms: info.processing_time_ms });
      const res = await t.http().get(`/api/v1/tasks/${id}/result`).set(as(alice)).expect(409);
      expect(res.body.code).toBe('TASK_NOT_PROCESSED');
      await t.http().delete(`/api/v1/tasks/${id}`).set(as(alice)).expect(204);
    });
  });

  it('answers 409 for the result of a task not processed yet', async () => {
    const task = await newTask(alice);
    const res = await t.http().get(`/api/v1/tasks/${task.id}/result`).set(as(alice)).expect(409);
    expect(res.body.code).toBe('TASK_NOT_PROCESSED');
  });

  it('fails a corrupt image with a clear error and no result', async () => {
    const task = await newTask(alice, { file_name: 'broken.jpg' });
    const corrupt = Buffer.concat([astronautJpeg().subarray(0, 600), Buffer.alloc(4000, 0x55)]);
    await put(alice, task.id, corrupt, 'image/jpeg').expect(202);
    const info = await waitForTerminal(alice, task.id);
    expect(info.status).toBe('failed');
    expect(info.error).toMatch(/could not be decoded/);
    expect(info.anonymised_objects).toBeNull();
    await t.http().get(`/api/v1/tasks/${task.id}/result`).set(as(alice)).expect(409);
  });

  it('finds and hides a licence plate on a car, with the mask method', async () => {
    const photo = await carWithPlate();
    const task = await newTask(alice, { file_name: 'car.jpg', objects: ['license_plate'], method: 'mask' });
    await put(alice, task.id, photo, 'image/jpeg').expect(202);
    const info = await waitForTerminal(alice, task.id);
    expect(info).toMatchObject({ status: 'processed', anonymised_objects: { license_plate: 1 }, anonymised_total: 1 });
    const result = (await download(alice, task.id).expect(200)).body as Buffer;
    const inner = { x: SYNTHETIC_PLATE.x + 10, y: SYNTHETIC_PLATE.y + 6, width: SYNTHETIC_PLATE.width - 20, height: SYNTHETIC_PLATE.height - 12 };
    const { data } = await sharp(result).extract({ left: inner.x, top: inner.y, width: inner.width, height: inner.height }).raw().toBuffer({ resolveWithObject: true });
    expect(Math.max(...data)).toBeLessThan(40); // masked black, the white plate and its text are gone
    // The car's roof, above the plate, is untouched (JPEG noise only).
    expect(await meanDifference(photo, result, { x: 200, y: 60, width: 150, height: 40 })).toBeLessThan(4);
  });

  it('finds no plate on the car without one, and leaves it as it was', async () => {
    const task = await newTask(alice, { file_name: 'car.jpg', objects: ['license_plate'] });
    await put(alice, task.id, carJpeg(), 'image/jpeg').expect(202);
    const info = await waitForTerminal(alice, task.id);
    expect(info).toMatchObject({ status: 'processed', anonymised_objects: { license_plate: 0 } });
  });

  it('keeps answering the API while images are processed (inference runs off the event loop)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const task = await newTask(alice, { objects: ['face', 'person', 'vehicle'], method: 'blur' });
      await put(alice, task.id, astronautJpeg(), 'image/jpeg').expect(202);
      ids.push(task.id);
    }
    const started = Date.now();
    const latencies: number[] = [];
    let done = false;
    const probing = (async () => {
      while (!done) {
        const t0 = performance.now();
        await t.http().get('/health/live').expect(200);
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    for (const id of ids) expect((await waitForTerminal(alice, id)).status).toBe('processed');
    done = true;
    await probing;
    const busyMs = Date.now() - started;
    const worst = Math.max(...latencies);
    // Three detections take far longer than any single answer: the loop was never held by them.
    expect(latencies.length).toBeGreaterThan(5);
    expect(worst).toBeLessThan(Math.max(250, busyMs / 3));
  });

  it('streams queued, processing and processed (with counts) over Socket.IO, and refuses a foreign subscription', async () => {
    const client = await StatusClient.connect(baseUrlOf(t.app), alice.token);
    const stranger = await StatusClient.connect(baseUrlOf(t.app), bob.token);
    try {
      const task = await newTask(alice, { objects: ['face'] });
      expect(await client.subscribe('task', task.id)).toMatchObject({ ok: true, snapshot: { resource: 'task', id: task.id, status: 'new' } });
      expect(await stranger.subscribe('task', task.id)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      await put(alice, task.id, astronautJpeg(), 'image/jpeg').expect(202);
      const done = await client.waitFor('task', task.id, (e) => e.status === 'processed', 'processed event', 60_000);
      expect(done).toMatchObject({ counts: { face: 1 }, progress: 100 });
      const statuses = client.of('task', task.id).map((e) => e.status);
      expect(statuses).toEqual(expect.arrayContaining(['queued', 'processing', 'processed']));
      expect(statuses.indexOf('queued')).toBeLessThan(statuses.indexOf('processed'));
    } finally {
      client.close();
      stranger.close();
    }
  });

  describe('a short video', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tasks-video-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('comes back as a playable MP4 with the same frame count, audio kept', async () => {
      const still = join(dir, 'still.jpg');
      const clip = join(dir, 'clip.mp4');
      await writeFile(still, astronautJpeg());
      await runFfmpeg(t.config.ffmpegPath!, [
        '-loop', '1', '-i', still, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
        '-t', '2', '-r', '10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', clip,
      ]);
      const task = await newTask(alice, { file_name: 'clip.mp4', media_type: 'video', objects: ['face'] });
      await put(alice, task.id, await readFile(clip), 'video/mp4').expect(202);
      const info = await waitForTerminal(alice, task.id, 120_000);
      expect(info).toMatchObject({ status: 'processed', progress: 100, media: { width: 512, height: 512 } });
      expect(info.media.frames).toBe(20);
      expect(info.anonymised_objects).toEqual({ face: 1 });
      const res = await download(alice, task.id).expect(200);
      expect(res.headers['content-type']).toBe('video/mp4');
      expect(res.headers['content-disposition']).toContain('clip.anonymised.mp4');
      const out = join(dir, 'out.mp4');
      await writeFile(out, res.body as Buffer);
      const stderr = await runFfmpeg(t.config.ffmpegPath!, ['-v', 'info', '-i', out, '-f', 'null', '-']);
      const frames = [...stderr.matchAll(/frame=\s*(\d+)/g)].pop();
      expect(Number(frames?.[1])).toBe(20);
      expect(stderr).toMatch(/Video: h264.*yuv420p/);
      expect(stderr).toMatch(/Audio: aac/);
    });
  });
});
