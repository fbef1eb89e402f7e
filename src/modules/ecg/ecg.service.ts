import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { decodeCursor, Page, PageQueryDto, toPage } from '../../core/http/pagination';
import { RequestValidationError } from '../../core/http/validation';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { ECG_ID_PATTERN, EcgCreateDto, EcgSummaryDto, parseTimestamp, toEcgSummary } from './dto/ecg.dto';
import { EcgEntity } from './entities/ecg.entity';
import { EcgError } from './ecg.errors';
import { EcgRepository } from './ecg.repository';
import { ECG_ANALYSE } from './ecg.messages';
import { RecentSignals } from './recent-signals';

/** Submitting and reading ECGs (the API side); analysis is EcgAnalysisService (the worker side). */
@Injectable()
export class EcgService {
  private readonly logger = new Logger(EcgService.name);

  constructor(
    private readonly ecgs: EcgRepository,
    private readonly publisher: MessagePublisher,
    private readonly recentSignals: RecentSignals,
  ) {}

  /** Stores the ECG as `queued` and asks a worker to analyse it. */
  async submit(ownerId: string, input: EcgCreateDto, requestId?: string): Promise<EcgEntity> {
    assertUniqueLeadNames(input.leads);
    const id = input.id ?? randomUUID();
    // EcgCreatePipe packs every valid signal into an Int32Array already.
    const leads = input.leads.map(({ name, signal }, position) => ({
      position,
      name,
      samples: signal instanceof Int32Array ? signal : Int32Array.from(signal),
    }));
    const ecg = await this.ecgs.insert({
      ownerId,
      id,
      date: parseTimestamp(input.date)!,
      samplingRateHz: input.sampling_rate_hz ?? null,
      leads,
    });
    if (!ecg) throw EcgError.alreadyExists(id);
    // Before the publish: an in-process queue may deliver at once.
    this.recentSignals.put(ecg.pk, leads);
    try {
      await this.publisher.publish(ECG_ANALYSE, { ecg_pk: ecg.pk }, { requestId });
    } catch (error) {
      // The ECG is committed and the client gets its id; answering an error now would only make a
      // retry collide with it (409). The sweeper re-publishes ECGs left queued.
      this.logger.warn(`ECG ${ecg.pk} is stored but its analysis was not queued (${(error as Error).message}); the sweeper will retry`);
    }
    return ecg;
  }

  async getEcg(ownerId: string, id: string): Promise<EcgEntity> {
    // An id no ECG can have never reaches the database (a NUL byte would make PostgreSQL fail).
    const ecg = ECG_ID_PATTERN.test(id) ? await this.ecgs.findOwned(ownerId, id) : null;
    if (!ecg) throw EcgError.notFound(id);
    return ecg;
  }

  /** Deletes the owner's ECG with its leads and insights; refused while a worker analyses it. */
  async deleteEcg(ownerId: string, id: string): Promise<void> {
    const outcome = ECG_ID_PATTERN.test(id) ? await this.ecgs.deleteUnlessProcessing(ownerId, id) : null;
    if (outcome === null) throw EcgError.notFound(id);
    if (outcome === 'processing') throw EcgError.processing(id);
  }

  async listEcgs(ownerId: string, { limit, cursor }: PageQueryDto): Promise<Page<EcgSummaryDto>> {
    const after = decodeCursor<{ k: string }>(cursor, { k: 'uuid' });
    const rows = await this.ecgs.listOwned(ownerId, limit + 1, after?.k);
    return toPage(rows, limit, toEcgSummary, (ecg) => ({ k: ecg.pk }));
  }
}

// A property validator sees one lead at a time, so uniqueness across leads is checked here; the
// error names the duplicate like any other field error. The unique index (ecg_pk, name) backs it.
function assertUniqueLeadNames(leads: { name: string }[]): void {
  const seen = new Map<string, number>();
  const errors = leads.flatMap(({ name }, index) => {
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, index);
      return [];
    }
    return [{ path: `leads[${index}].name`, message: `name "${name}" is already used by leads[${first}]; lead names must be unique` }];
  });
  if (errors.length > 0) throw new RequestValidationError(errors);
}
