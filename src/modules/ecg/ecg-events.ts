import { Injectable, Logger } from '@nestjs/common';
import { StatusEventPublisher, type StatusSnapshot } from '../../core/realtime/status-event';
import type { EcgEntity, EcgStatus } from './entities/ecg.entity';

/** An ECG's current state in the same shape as its events: what a realtime subscriber starts from. */
export function toEcgStatus(ecg: Pick<EcgEntity, 'id' | 'status' | 'error' | 'updatedAt'>): StatusSnapshot {
  return {
    type: 'status',
    resource: 'ecg',
    id: ecg.id,
    status: ecg.status,
    ...(ecg.error ? { error: ecg.error } : {}),
    at: ecg.updatedAt.toISOString(),
  };
}

/** ECG status changes as DESIGN §5 events, keyed by the client-facing id and owner. */
@Injectable()
export class EcgEvents {
  private readonly logger = new Logger('EcgEvents');

  constructor(private readonly events: StatusEventPublisher) {}

  /**
   * Never throws: the status is already committed and readable with GET, and an event lost to a
   * broker hiccup must not turn finished work into a retry.
   */
  async emit(ecg: { id: string; ownerId: string }, status: EcgStatus, error?: string | null): Promise<void> {
    try {
      await this.events.publish({ resource: 'ecg', id: ecg.id, owner: ecg.ownerId, status, ...(error ? { error } : {}) });
    } catch (cause) {
      this.logger.warn(`could not publish the "${status}" event of ECG ${ecg.id}: ${(cause as Error).message}`);
    }
  }
}
