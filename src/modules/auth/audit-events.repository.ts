import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditAction, AuditDetails, AuditEventEntity } from './entities/audit-event.entity';

export interface NewAuditEvent {
  action: AuditAction;
  actorId: string | null;
  actorUsername: string | null;
  targetId: string | null;
  targetUsername: string | null;
  requestId: string | null;
  details: AuditDetails;
}

@Injectable()
export class AuditEventsRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  async append(event: NewAuditEvent): Promise<void> {
    await this.events.insert(event);
  }

  /** Newest first. */
  list(options: { beforeSeq?: number; limit: number }): Promise<AuditEventEntity[]> {
    const query = this.events.createQueryBuilder('e').orderBy('e.seq', 'DESC').limit(options.limit);
    if (options.beforeSeq !== undefined) query.where('e.seq < :seq', { seq: options.beforeSeq });
    return query.getMany();
  }
}
