/** One event shape for every workload (DESIGN §5). */
export type StatusResource = 'job' | 'task' | 'ecg' | 'transcription';

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

/** Features publish status changes here, from the API or a worker. */
export abstract class StatusEventPublisher {
  abstract publish(update: StatusUpdate): Promise<void>;
}
