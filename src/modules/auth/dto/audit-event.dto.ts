import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTIONS, type AuditAction, type AuditDetails, type AuditEventEntity } from '../entities/audit-event.entity';

export class AuditEventResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: AuditAction;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The admin who acted (kept after that account is deleted)' }) actor_id: string | null;
  @ApiProperty({ type: String, nullable: true }) actor_username: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) target_id: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The username at the time' }) target_username: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed, e.g. `{role: {from, to}}`; never a password' })
  details: AuditDetails;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventResponseDto] }) items: AuditEventResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' }) next_cursor: string | null;
}

export function toAuditEventResponse(e: AuditEventEntity): AuditEventResponseDto {
  return {
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    actor_id: e.actorId,
    actor_username: e.actorUsername,
    target_id: e.targetId,
    target_username: e.targetUsername,
    request_id: e.requestId,
    details: e.details,
  };
}
