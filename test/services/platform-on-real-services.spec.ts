import { createTestVhost, SERVICES } from '../utils/services-env';
import { s3Settings, startS3Server } from '../utils/s3-server';
import { ADMIN, createTestApp, TestApp } from '../utils/test-app';

/** The platform as production runs it: real PostgreSQL, RabbitMQ and an S3 server. */
describe('platform on real PostgreSQL, RabbitMQ and S3', () => {
  let t: TestApp;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let vhost: ReturnType<typeof createTestVhost>;

  beforeAll(async () => {
    s3 = await startS3Server();
    vhost = createTestVhost();
    t = await createTestApp(
      {
        RABBITMQ_URL: vhost.url,
        ...s3Settings(s3.endpoint, 'horizon-platform-test'),
      },
      { databaseBaseUrl: SERVICES.databaseUrl },
    );
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    vhost?.remove();
  });

  it('is ready only when the database, the broker and the storage all answer', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.info).toEqual({
      database: { status: 'up' },
      broker: { status: 'up' },
      storage: { status: 'up' },
      // Informational: the transcriptions' engine never fails readiness (installed or not).
      speech_to_text: expect.objectContaining({ status: 'up', engine: 'pocketsphinx' }),
    });
  });

  it('runs migrations, seeds the admin and serves auth', async () => {
    const user = await t.createUser('real-services-user', 'real-services-pw');
    const me = await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${user.token}`).expect(200);
    expect(me.body).toMatchObject({ username: 'real-services-user', role: 'user' });
    await t.http().post('/api/v1/auth/token').send({ ...ADMIN, password: 'wrong-password' }).expect(401);
  });
});
