/**
 * A workload's resource type (`job`, `task`, …). Core keeps it open: the features name theirs when
 * they declare their workload (`defineWorkload`), and the snapshot registry knows which exist.
 */
export type StatusResource = string;

/** One event shape for every workload (DESIGN §5). */
export interface StatusEvent {
  type: 'status';
  resource: StatusResource;
  id: string;
  /** The owning user's id: only that user's subscriptions receive the event. */
  owner: string;
  status: string;
  progress?: number;
  stage?: string;
  /** Which start of the work this is, from the second on (`stage: "retrying"`): progress keeps its earlier maximum meanwhile. */
  attempt?: number;
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

// The shape of a resource name (defineWorkload checks it); whether one is registered is the registry's answer.
const RESOURCE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

export function isStatusResource(value: unknown): value is StatusResource {
  return typeof value === 'string' && RESOURCE_NAME.test(value);
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
