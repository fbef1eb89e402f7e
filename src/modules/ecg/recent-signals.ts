import type { LeadSignal } from './ecg.repository';

/** What the store may hold at once; past it the oldest entries go (their worker reads the database). */
export const RECENT_SIGNALS_MAX_BYTES = 32 * 1024 * 1024;
/** An entry older than this is dropped: its message is late (broker down, a long queue) anyway. */
export const RECENT_SIGNALS_MAX_AGE_MS = 60_000;

interface Entry {
  signals: LeadSignal[];
  bytes: number;
  storedAt: number;
}

/**
 * The signals of ECGs submitted to this process, until its worker side takes them: when API and
 * worker share a process (`npm start`), the analysis skips reading back the bytea it was just
 * given. A miss (another process, evicted, expired, a redelivery) reads the database as before,
 * so this is only ever a shortcut. Signals never change once stored, so an entry cannot be stale.
 * Provided by a factory (ecg.module.ts): its bounds are constructor arguments for the tests.
 */
export class RecentSignals {
  // A Map iterates in insertion order: the first entries are the oldest.
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = RECENT_SIGNALS_MAX_BYTES,
    private readonly maxAgeMs = RECENT_SIGNALS_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  put(ecgPk: string, signals: LeadSignal[]): void {
    const bytes = signals.reduce((sum, lead) => sum + lead.samples.byteLength, 0);
    if (bytes > this.maxBytes) return;
    this.drop(ecgPk);
    this.entries.set(ecgPk, { signals, bytes, storedAt: this.now() });
    this.bytes += bytes;
    this.evict();
  }

  /** The ECG's signals, removed from the store; undefined when they are not (or no longer) here. */
  take(ecgPk: string): LeadSignal[] | undefined {
    this.evict();
    const entry = this.entries.get(ecgPk);
    if (entry) this.drop(ecgPk);
    return entry?.signals;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  private drop(ecgPk: string): void {
    const entry = this.entries.get(ecgPk);
    if (!entry) return;
    this.entries.delete(ecgPk);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    const oldest = this.now() - this.maxAgeMs;
    for (const [pk, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && entry.storedAt >= oldest) break;
      this.drop(pk);
    }
  }
}
