/** One event shape for every workload (DESIGN §5). */
export type StatusResource = 'job' | 'task' | 'ecg' | 'transcription';

export const STATUS_RESOURCES: readonly StatusResource[] = ['job', 'task', 'ecg', 'transcription'];

export interface StatusEvent {
  type: 'status';
  resource: StatusResource;
  id: string;
  /** The owning user's id: only that user's subscriptions receive the event. */
  owner: string;
  status: string;
  progress?: number;
  stage?: string;
  counts?: Record<string, number>;
  error?: string | null;
  at: string;
}

export type StatusUpdate = Omit<StatusEvent, 'type' | 'at'>;

/**
 * What a client receives, as the snapshot answering a subscription and as each later event: the
 * DESIGN §5 shape, without the `owner` the gateways route by.
 */
export type StatusSnapshot = Omit<StatusEvent, 'owner'>;

/** After one of these a resource never changes again: the WebSocket closes, a subscription ends. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'processed', 'deleted']);

/** Features publish status changes here, from the API or a worker. */
export abstract class StatusEventPublisher {
  abstract publish(update: StatusUpdate): Promise<void>;
}

export function isStatusResource(value: unknown): value is StatusResource {
  return typeof value === 'string' && (STATUS_RESOURCES as readonly string[]).includes(value);
}

export function toStatusSnapshot({ owner: _owner, ...snapshot }: StatusEvent): StatusSnapshot {
  return snapshot;
}

/** Parses an event from the broadcast channel; undefined for anything that is not one (logged by the caller). */
export function parseStatusEvent(body: string): StatusEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Partial<StatusEvent>;
  const valid =
    event.type === 'status' &&
    isStatusResource(event.resource) &&
    typeof event.id === 'string' &&
    typeof event.owner === 'string' &&
    typeof event.status === 'string' &&
    typeof event.at === 'string' &&
    (event.progress === undefined || (typeof event.progress === 'number' && Number.isFinite(event.progress)));
  return valid ? (event as StatusEvent) : undefined;
}
