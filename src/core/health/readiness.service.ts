import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { MessagingHealth } from '../messaging/messaging-health';
import { withTimeout } from '../scheduling/with-timeout';
import { ObjectStorage } from '../storage/object-storage';

const TIMEOUT_MS = 2000;

/** Database, broker and storage answer: the same check for the API and the worker. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly messaging: MessagingHealth,
    private readonly storage: ObjectStorage,
  ) {}

  /** Answers the result and whether every check is up (terminus reports a failure as a 503 exception). */
  async check(): Promise<{ ok: boolean; result: HealthCheckResult }> {
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('database', { timeout: TIMEOUT_MS }),
        () => this.probe('broker', () => this.messaging.check()),
        () => this.probe('storage', () => this.storage.ping()),
      ]);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return { ok: false, result: error.getResponse() as HealthCheckResult };
      throw error;
    }
  }

  private async probe(key: string, check: () => Promise<void>) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(check(), TIMEOUT_MS, `${key} did not answer within ${TIMEOUT_MS} ms`);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
