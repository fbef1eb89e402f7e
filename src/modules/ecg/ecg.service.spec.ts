import { InvalidCursorError } from '../../core/http/pagination';
import { RequestValidationError } from '../../core/http/validation';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import type { EcgCreateDto } from './dto/ecg.dto';
import { EcgError } from './ecg.errors';
import type { EcgRepository } from './ecg.repository';
import { EcgService } from './ecg.service';
import type { EcgEntity } from './entities/ecg.entity';
import { ECG_ANALYSE } from './ecg.messages';
import { RecentSignals } from './recent-signals';

const OWNER = '11111111-1111-4111-8111-111111111111';
const PK = '22222222-2222-4222-8222-222222222222';

function setup() {
  const repository = {
    insert: jest.fn(async (ecg: { id: string }) => ({ pk: PK, id: ecg.id, ownerId: OWNER, status: 'queued' }) as EcgEntity),
    findOwned: jest.fn(),
    listOwned: jest.fn(async () => [] as EcgEntity[]),
  };
  const publisher = { publish: jest.fn(async () => undefined) };
  const recentSignals = new RecentSignals();
  const service = new EcgService(repository as unknown as EcgRepository, publisher as unknown as MessagePublisher, recentSignals);
  return { service, repository, publisher, recentSignals };
}

const input = (overrides: Partial<EcgCreateDto> = {}): EcgCreateDto => ({
  date: '2025-11-22T10:15:00',
  leads: [
    { name: 'I', signal: [1, -1] },
    { name: 'II', signal: [3] },
  ],
  ...overrides,
});

describe('EcgService.submit', () => {
  it('stores the ECG with its leads, then queues its analysis with the request id', async () => {
    const { service, repository, publisher } = setup();

    const ecg = await service.submit(OWNER, input({ id: 'ecg-1', sampling_rate_hz: 500 }), 'req-1');

    expect(ecg.id).toBe('ecg-1');
    expect(repository.insert).toHaveBeenCalledWith({
      ownerId: OWNER,
      id: 'ecg-1',
      date: new Date('2025-11-22T10:15:00Z'),
      samplingRateHz: 500,
      leads: [
        { position: 0, name: 'I', samples: Int32Array.from([1, -1]) },
        { position: 1, name: 'II', samples: Int32Array.from([3]) },
      ],
    });
    expect(publisher.publish).toHaveBeenCalledWith(ECG_ANALYSE, { ecg_pk: PK }, { requestId: 'req-1' });
    expect(repository.insert.mock.invocationCallOrder[0]).toBeLessThan(publisher.publish.mock.invocationCallOrder[0]);
  });

  it('generates a UUID when the client sends no id, and stores no sampling rate when none is given', async () => {
    const { service, repository } = setup();
    const ecg = await service.submit(OWNER, input());
    expect(ecg.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(repository.insert).toHaveBeenCalledWith(expect.objectContaining({ samplingRateHz: null }));
  });

  it('answers ECG_ALREADY_EXISTS (409) when the owner already used the id', async () => {
    const { service, repository, publisher } = setup();
    repository.insert.mockResolvedValueOnce(null as unknown as EcgEntity);

    const error = await service.submit(OWNER, input({ id: 'dup' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EcgError);
    expect(error).toMatchObject({ code: 'ECG_ALREADY_EXISTS', kind: 'conflict' });
    expect(publisher.publish).not.toHaveBeenCalled();
  });

  it('names every duplicate lead by its path and stores nothing', async () => {
    const { service, repository } = setup();
    const leads = ['I', 'II', 'I', 'V1', 'II'].map((name) => ({ name, signal: [1] })) as EcgCreateDto['leads'];

    const error = await service.submit(OWNER, input({ leads })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).errors?.map((e) => e.path)).toEqual(['leads[2].name', 'leads[4].name']);
    expect((error as RequestValidationError).errors?.[0].message).toMatch(/already used by leads\[0\]/);
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('still accepts the ECG when queueing fails: it is stored, and the sweeper re-publishes it', async () => {
    const { service, publisher } = setup();
    publisher.publish.mockRejectedValueOnce(new Error('broker unreachable'));

    await expect(service.submit(OWNER, input({ id: 'kept' }))).resolves.toMatchObject({ id: 'kept', status: 'queued' });
  });

  it('lets a database failure through (a 500 and a log line, not a silent loss)', async () => {
    const { service, repository, publisher } = setup();
    repository.insert.mockRejectedValueOnce(new Error('connection refused'));
    await expect(service.submit(OWNER, input())).rejects.toThrow('connection refused');
    expect(publisher.publish).not.toHaveBeenCalled();
  });
});

describe('EcgService.getEcg', () => {
  it("answers ECG_NOT_FOUND for an id the owner does not have (another user's included)", async () => {
    const { service, repository } = setup();
    repository.findOwned.mockResolvedValueOnce(null);
    await expect(service.getEcg(OWNER, 'theirs')).rejects.toMatchObject({ code: 'ECG_NOT_FOUND', kind: 'not_found' });
    expect(repository.findOwned).toHaveBeenCalledWith(OWNER, 'theirs');
  });
});

describe('EcgService.listEcgs', () => {
  const row = (pk: string) => ({ pk, id: pk, date: new Date(0), status: 'queued', createdAt: new Date(0), processedAt: null, numberOfLeads: 1 }) as EcgEntity;

  it('asks for one row more than the page to know whether another page follows', async () => {
    const { service, repository } = setup();
    repository.listOwned.mockResolvedValueOnce([row(PK), row(OWNER)]);

    const page = await service.listEcgs(OWNER, { limit: 1 });

    expect(repository.listOwned).toHaveBeenCalledWith(OWNER, 2, undefined);
    expect(page.items.map((i) => i.id)).toEqual([PK]);
    expect(page.next_cursor).toEqual(expect.any(String));

    await service.listEcgs(OWNER, { limit: 1, cursor: page.next_cursor! });
    expect(repository.listOwned).toHaveBeenLastCalledWith(OWNER, 2, PK);
  });

  it('refuses a cursor whose key is not a UUID before it reaches the database', async () => {
    const { service, repository } = setup();
    const cursor = Buffer.from(JSON.stringify({ k: "x' OR 1=1" })).toString('base64url');
    await expect(service.listEcgs(OWNER, { limit: 5, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    expect(repository.listOwned).not.toHaveBeenCalled();
  });
});
