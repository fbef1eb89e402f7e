import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { LoginThrottleEntity } from './entities/login-throttle.entity';

@Injectable()
export class LoginThrottlesRepository {
  constructor(@InjectRepository(LoginThrottleEntity) private readonly throttles: Repository<LoginThrottleEntity>) {}

  /** The latest `blocked_until` among these keys that is still in the future, or null. */
  async blockedUntil(keys: string[]): Promise<Date | null> {
    const rows = await this.throttles.findBy({ key: In(keys) });
    const now = Date.now();
    const until = rows.map((r) => r.blockedUntil?.getTime() ?? 0).filter((t) => t > now);
    return until.length > 0 ? new Date(Math.max(...until)) : null;
  }

  /**
   * Counts one failure for `key` in one statement (concurrent gateways cannot lose a count). The
   * count starts over when the last failure is older than `resetAfterS`; from `threshold`
   * failures on, the key is blocked for baseS × 2^(failures − threshold), at most maxS seconds.
   */
  async recordFailure(key: string, rule: { threshold: number; baseS: number; maxS: number; resetAfterS: number }): Promise<void> {
    await this.throttles.query(
      `INSERT INTO login_throttles AS t (key, failures, last_failure_at, blocked_until)
       VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.last_failure_at < now() - make_interval(secs => $5) THEN 1 ELSE t.failures + 1 END,
         last_failure_at = now(),
         blocked_until = CASE
           WHEN (CASE WHEN t.last_failure_at < now() - make_interval(secs => $5) THEN 1 ELSE t.failures + 1 END) >= $2
           THEN now() + make_interval(secs => least($4::float8, $3::float8 * power(2, least(30, (CASE WHEN t.last_failure_at < now() - make_interval(secs => $5) THEN 1 ELSE t.failures + 1 END) - $2))))
           ELSE NULL END`,
      [key, rule.threshold, rule.baseS, rule.maxS, rule.resetAfterS],
    );
  }

  async clear(key: string): Promise<void> {
    await this.throttles.delete({ key });
  }
}
