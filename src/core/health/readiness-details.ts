import { Injectable } from '@nestjs/common';

/** A piece of state worth showing on /health/ready that must not fail readiness (e.g. an optional engine). */
export type ReadinessDetailProbe = () => Promise<Record<string, unknown>>;

/**
 * Features register informational probes here; /health/ready reports each under its key with
 * status "up" and the probe's fields. Core never imports a feature, so the feature registers.
 */
@Injectable()
export class ReadinessDetails {
  private readonly probes = new Map<string, ReadinessDetailProbe>();

  register(key: string, probe: ReadinessDetailProbe): void {
    if (this.probes.has(key)) throw new Error(`A readiness detail "${key}" is already registered`);
    this.probes.set(key, probe);
  }

  entries(): [string, ReadinessDetailProbe][] {
    return [...this.probes.entries()];
  }
}
