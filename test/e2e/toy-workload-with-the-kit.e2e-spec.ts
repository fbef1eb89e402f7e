import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Delete, Get, HttpCode, Injectable, Module, NotFoundException, Param, Post } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import request from 'supertest';
import { Column, Entity, PrimaryColumn, Repository, UpdateDateColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { CreateUsers1763835000000 } from '../../migrations/1763835000000-create-users';
import { Accounts1764300000000 } from '../../migrations/1764300000000-accounts';
import { CreateUserErasures1765000000000 } from '../../migrations/1765000000000-create-user-erasures';
import { UserErasureEntity } from '../../src/core/data-lifecycle/entities/user-erasure.entity';
import { USERS_ERASE } from '../../src/core/data-lifecycle/user-erasure.messages';
import { AppConfig } from '../../src/core/config/app-config';
import { CoreModule } from '../../src/core/core.module';
import { claimStaleRows, isRowOpen, raiseProgress, updateOpenRow } from '../../src/core/database/workload-rows';
import { DomainError } from '../../src/core/errors/domain-error';
import { CurrentUser, type Principal, Roles } from '../../src/core/http/access.decorators';
import { configureHttp } from '../../src/core/http/configure-http';
import { HttpModule } from '../../src/core/http/http.module';
import { DeadLetterContext, MessageContext } from '../../src/core/messaging/message-context';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { startConsumersIn } from '../../src/core/messaging/messaging.server';
import { defineQueue } from '../../src/core/messaging/queue-definition';
import { RealtimeGatewayModule } from '../../src/core/realtime/realtime-gateway.module';
import { objectKey } from '../../src/core/storage/object-keys';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { defineWorkload, InjectWorkload, workloadProviders, type WorkloadStore } from '../../src/core/workload/workload';
import type { WorkloadLifecycle, WorkRun } from '../../src/core/workload/workload-lifecycle';
import { AccessTokenEntity } from '../../src/modules/auth/entities/access-token.entity';
import { AuditEventEntity } from '../../src/modules/auth/entities/audit-event.entity';
import { LoginThrottleEntity } from '../../src/modules/auth/entities/login-throttle.entity';
import { UserEntity } from '../../src/modules/auth/entities/user.entity';
import { AuthModule } from '../../src/modules/auth/auth.module';
import { poll, until } from '../utils/poll';
import { baseUrlOf, StatusClient } from '../utils/realtime-clients';
import { createTestDatabase } from '../utils/test-database';

// A new workload added the way docs/architecture.md ("Adding a feature") says, with nothing but
// the kit: an entity and its migration, a repository of atomic claims (workload-rows helpers), a
// queue, one defineWorkload(...), a work function and a thin consumer. Upload → queue → worker →
// status events → completed, or failed with a public reason; and erasure cancelling work in flight.

@Entity('toys')
class ToyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'owner_id' }) ownerId!: string;
  @Column('text') status!: string;
  @Column('int') progress!: number;
  @Column('int') attempts!: number;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('text', { name: 'object_key' }) objectKey!: string;
  @Column('text', { name: 'result_key', nullable: true }) resultKey!: string | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

class CreateToys9999999999999 implements MigrationInterface {
  name = 'CreateToys9999999999999';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE toys (id uuid PRIMARY KEY, owner_id uuid NOT NULL, status text NOT NULL, progress int NOT NULL DEFAULT 0,
      attempts int NOT NULL DEFAULT 0, error text, object_key text NOT NULL, result_key text, updated_at timestamptz NOT NULL DEFAULT now())`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE toys');
  }
}

class ToyMessage {
  @IsUUID() toy_id!: string;
}

const TOYS_PLAY = defineQueue({ name: 'toys.play', message: ToyMessage, retry: { maxAttempts: 2, backoffMs: 1, maxBackoffMs: 1 } });

@Injectable()
class ToysRepository implements WorkloadStore<ToyEntity> {
  constructor(@InjectRepository(ToyEntity) readonly rows: Repository<ToyEntity>) {}
  insertQueued(toy: Pick<ToyEntity, 'id' | 'ownerId' | 'objectKey'>): Promise<ToyEntity> {
    return this.rows.save(this.rows.create({ ...toy, status: 'queued', progress: 0, attempts: 0, error: null, resultKey: null }));
  }
  findOwned(ownerId: string, id: string): Promise<ToyEntity | null> {
    return this.rows.findOneBy({ ownerId, id });
  }
  async start(id: string): Promise<ToyEntity | null> {
    return (await updateOpenRow(this.rows, id, { status: 'processing', attempts: () => 'attempts + 1' })) ? this.rows.findOneBy({ id }) : null;
  }
  async complete(id: string, resultKey: string): Promise<ToyEntity | null> {
    return (await updateOpenRow(this.rows, id, { status: 'completed', progress: 100, resultKey }, ['processing'])) ? this.rows.findOneBy({ id }) : null;
  }
  async fail(id: string, error: string): Promise<ToyEntity | null> {
    return (await updateOpenRow(this.rows, id, { status: 'failed', error })) ? this.rows.findOneBy({ id }) : null;
  }
  progress(id: string, progress: number): Promise<number | null> {
    return raiseProgress(this.rows, id, progress);
  }
  exists(id: string): Promise<boolean> {
    return isRowOpen(this.rows, id);
  }
  claimStale(staleAfterMs: number, limit: number): Promise<ToyEntity[]> {
    return claimStaleRows(this.rows, staleAfterMs, limit);
  }
}

const TOYS_WORKLOAD = defineWorkload<ToyEntity, ToyMessage>({
  resource: 'toy',
  queue: TOYS_PLAY,
  store: ToysRepository,
  keyOf: (message) => message.toy_id,
  messageFor: (toy) => ({ toy_id: toy.id }),
  toStatus: (toy) => ({ status: toy.status, progress: toy.progress, ...(toy.error ? { error: toy.error } : {}) }),
  attempts: 3,
  sweep: { intervalMs: 60_000, staleAfterMs: 60_000, batchSize: 10 },
});

async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Holds the work of a toy whose text is `hold` until the test releases it. */
const held = { reached: false, checked: false, gate: Promise.resolve() };

@Injectable()
class ToysPlayer {
  constructor(
    private readonly toys: ToysRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /** The feature's own work: read the upload, report progress, write a result. */
  async play(run: WorkRun<ToyEntity>): Promise<ToyEntity | null> {
    const text = await readText(await this.storage.get(run.row.objectKey));
    if (text === 'not a toy') throw new DomainError('TOY_UNPLAYABLE', 'The text is not a toy.');
    if (text === 'crash') throw new Error('segfault in /opt/engine/libtoy.so at 0xdeadbeef (password=hunter2)');
    await run.progress(50);
    if (text === 'hold') {
      held.reached = true;
      await held.gate;
    }
    try {
      await run.checkpoint(); // erased meanwhile: stop here, write nothing
    } finally {
      if (text === 'hold') held.checked = true;
    }
    const resultKey = objectKey('toys', run.row.id, 'result');
    await this.storage.put(resultKey, Buffer.from(text.toUpperCase()));
    return this.toys.complete(run.row.id, resultKey);
  }
}

@Controller()
class ToysConsumer {
  constructor(
    private readonly player: ToysPlayer,
    @InjectWorkload(TOYS_WORKLOAD) private readonly workload: WorkloadLifecycle<ToyEntity, ToyMessage>,
  ) {}

  @EventPattern(TOYS_PLAY.name)
  async play(@Payload() message: ToyMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.workload.run(message, context, (run) => this.player.play(run));
  }

  @EventPattern(TOYS_PLAY.deadLetters)
  async gaveUp(@Payload() message: ToyMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
    await this.workload.deadLettered(message, context);
  }
}

class ToyCreateDto {
  @IsString() @MaxLength(100) text!: string;
}

@Roles('user')
@Controller('api/v1/toys')
class ToysController {
  constructor(
    private readonly toys: ToysRepository,
    private readonly storage: ObjectStorage,
    private readonly publisher: MessagePublisher,
    @InjectWorkload(TOYS_WORKLOAD) private readonly workload: WorkloadLifecycle<ToyEntity, ToyMessage>,
  ) {}

  @Post()
  @HttpCode(202)
  async upload(@CurrentUser() me: Principal, @Body() body: ToyCreateDto): Promise<{ id: string }> {
    const id = crypto.randomUUID();
    const key = objectKey('toys', id, 'source');
    await this.storage.put(key, Buffer.from(body.text));
    const toy = await this.toys.insertQueued({ id, ownerId: me.id, objectKey: key });
    await this.publisher.publish(TOYS_PLAY, { toy_id: id });
    await this.workload.emit(toy);
    return { id };
  }

  @Get(':id')
  async get(@CurrentUser() me: Principal, @Param('id') id: string): Promise<ToyEntity> {
    const toy = await this.workload.findOwned(me.id, id);
    if (!toy) throw new NotFoundException();
    return toy;
  }

  /** Erasure: the row and its objects go at once, even while a worker is on it. */
  @Delete(':id')
  @HttpCode(204)
  async erase(@CurrentUser() me: Principal, @Param('id') id: string): Promise<void> {
    const toy = await this.workload.findOwned(me.id, id);
    if (!toy) throw new NotFoundException();
    await this.toys.rows.delete({ id });
    await this.storage.deletePrefix(`${objectKey('toys', id)}/`);
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([ToyEntity])],
  controllers: [ToysController, ToysConsumer],
  providers: [ToysRepository, ...workloadProviders(TOYS_WORKLOAD), ToysPlayer],
})
class ToysModule {}

describe('a toy workload built with nothing but the kit', () => {
  let app: NestExpressApplication;
  let http: () => ReturnType<typeof request>;
  let storage: ObjectStorage;
  let client: StatusClient;
  let token: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'horizon-toy-'));
    const config = AppConfig.from({ DATA_DIR: dataDir, DATABASE_URL: database.url, LOG_LEVEL: 'error', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'admin-password-1' });
    // The platform's own parts come along: accounts (auth) and user erasure (core/data-lifecycle).
    const features = { queues: [TOYS_PLAY, USERS_ERASE], entities: [UserEntity, AccessTokenEntity, LoginThrottleEntity, AuditEventEntity, UserErasureEntity, ToyEntity],
      migrations: [CreateUsers1763835000000, Accounts1764300000000, CreateUserErasures1765000000000, CreateToys9999999999999],
    };
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config, { consume: true, http: true, features }), HttpModule, AuthModule, RealtimeGatewayModule.forRoot({ accessTokens: AuthModule }), ToysModule],
    }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
    configureHttp(app, config);
    await startConsumersIn(app);
    await app.listen(0, '127.0.0.1');
    http = () => request(app.getHttpServer());
    storage = app.get(ObjectStorage);
    const admin = (await http().post('/api/v1/auth/token').send({ username: 'admin', password: 'admin-password-1' }).expect(200)).body.access_token;
    await http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send({ username: 'toymaker', password: 'user-password-1' }).expect(201);
    token = (await http().post('/api/v1/auth/token').send({ username: 'toymaker', password: 'user-password-1' }).expect(200)).body.access_token;
    client = await StatusClient.connect(baseUrlOf(app), token);
    close = async () => {
      client.close();
      await app.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(() => close?.());

  const auth = () => ({ authorization: `Bearer ${token}` });
  const upload = async (text: string) => (await http().post('/api/v1/toys').set(auth()).send({ text }).expect(202)).body.id as string;
  const finished = (id: string) =>
    poll(async () => (await http().get(`/api/v1/toys/${id}`).set(auth()).expect(200)).body, (t) => t.status === 'completed' || t.status === 'failed', `toy ${id} finished`);

  it('uploads, queues, works and announces every change over the realtime channel', async () => {
    const id = await upload('hello');
    const ack = await client.subscribe('toy', id);
    expect(ack).toMatchObject({ ok: true, snapshot: { type: 'status', resource: 'toy', id } });
    await client.waitFor('toy', id, (e) => e.status === 'completed', 'the completed event');
    expect(await finished(id)).toMatchObject({ status: 'completed', progress: 100, error: null });
    const progress = client.of('toy', id).map((e) => e.progress!);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(client.of('toy', id).at(-1)).toMatchObject({ status: 'completed', progress: 100 });
    expect(await readText(await storage.get(objectKey('toys', id, 'result')))).toBe('HELLO');
  });

  it('fails with the domain error, at once, when the work refuses the input', async () => {
    const id = await upload('not a toy');
    expect(await finished(id)).toMatchObject({ status: 'failed', error: 'The text is not a toy.' });
  });

  it('fails with a public reason, never the internal text, once the retries are spent; the watcher sees the same', async () => {
    const id = await upload('crash');
    await client.subscribe('toy', id);
    const failed = await finished(id);
    expect(failed.error).toBe('Processing failed after 2 attempts: an internal error (logged on the server). It will not be retried.');
    expect(failed.error).not.toMatch(/segfault|libtoy|hunter2|\/opt/);
    await client.waitFor('toy', id, (e) => e.status === 'failed', 'the failed event');
    expect(client.of('toy', id).at(-1)).toMatchObject({ status: 'failed', error: failed.error });
  });

  it('stops work in flight when the row is erased: acked, nothing resurrected, no result object left', async () => {
    let release!: () => void;
    held.reached = false;
    held.checked = false;
    held.gate = new Promise<void>((resolve) => (release = resolve));
    const id = await upload('hold');
    await until(() => held.reached, 'the worker is on the toy');
    await http().delete(`/api/v1/toys/${id}`).set(auth()).expect(204);
    release();
    await until(() => held.checked, 'the worker checked for cancellation');
    // The queue goes on: the cancelled message was acked, not retried or dead-lettered.
    expect(await finished(await upload('after'))).toMatchObject({ status: 'completed' });
    await http().get(`/api/v1/toys/${id}`).set(auth()).expect(404);
    expect(await app.get(ToysRepository).rows.countBy({ id })).toBe(0);
    expect(await storage.stat(objectKey('toys', id, 'result'))).toBeNull();
  });
});
