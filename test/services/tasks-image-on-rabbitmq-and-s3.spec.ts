import sharp from 'sharp';
import type { TaskResponseDto } from '../../src/modules/tasks/dto/task.dto';
import { astronautJpeg } from '../factories/task-media.factory';
import { poll } from '../utils/poll';
import { S3_CREDENTIALS, startS3Server } from '../utils/s3-server';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';

describe('an image task through RabbitMQ, PostgreSQL and S3', () => {
  let vhost: ReturnType<typeof createTestVhost>;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let t: TestApp;
  let user: { token: string };

  beforeAll(async () => {
    vhost = createTestVhost();
    s3 = await startS3Server();
    t = await createTestApp(
      {
        RABBITMQ_URL: vhost.url,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: S3_CREDENTIALS.accessKey,
        S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
        S3_REGION: S3_CREDENTIALS.region,
        S3_BUCKET: 'horizon-tasks-test',
        LOG_LEVEL: 'warn',
      },
      { databaseBaseUrl: SERVICES.databaseUrl },
    );
    user = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    vhost?.remove();
  });

  it('is processed by the worker and its result is served by a presigned URL', async () => {
    const auth = { authorization: `Bearer ${user.token}` };
    const created = await t.http().post('/api/v1/tasks').set(auth).send({ file_name: 'astronaut.jpg', media_type: 'image', objects: ['face'] }).expect(201);
    const id = created.body.id as string;
    await t.http().put(`/api/v1/tasks/${id}/file`).set(auth).set('content-type', 'image/jpeg').send(astronautJpeg()).expect(202);

    const info = await poll(
      async () => (await t.http().get(`/api/v1/tasks/${id}`).set(auth).expect(200)).body as Partial<TaskResponseDto>,
      (task) => task.status === 'processed' || task.status === 'failed',
      `task ${id} is processed or failed`,
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    expect(info).toMatchObject({ status: 'processed', anonymised_objects: { face: 1 } });

    const res = await t.http().get(`/api/v1/tasks/${id}/result`).set(auth).redirects(0).expect(302);
    const url = new URL(res.headers.location);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.searchParams.get('X-Amz-Signature')).toEqual(expect.any(String));
    const download = await fetch(url);
    expect(download.status).toBe(200);
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 512, height: 512 });

    await t.http().delete(`/api/v1/tasks/${id}`).set(auth).expect(204);
    expect((await fetch(url)).status).toBe(404);
  });
});
