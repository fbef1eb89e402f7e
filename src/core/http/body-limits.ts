import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { BodyLimit } from './body-parsers';

/** A route prefix's body limit, fixed or computed from the settings (e.g. a maximum point count). */
export type BodyLimitSource = BodyLimit | ((config: AppConfig) => BodyLimit);

/** The limits the features registered (FEATURES.bodyLimits), provided by CoreModule. */
export const FEATURE_BODY_LIMITS = 'FEATURE_BODY_LIMITS';

/**
 * Routes that take bulk bodies, as the features declared them beside their controllers; every
 * other JSON route keeps the small default. Core knows no route.
 */
export function featureBodyLimits(app: INestApplication, config: AppConfig): BodyLimit[] {
  let sources: readonly BodyLimitSource[] = [];
  try {
    sources = app.get<readonly BodyLimitSource[]>(FEATURE_BODY_LIMITS, { strict: false });
  } catch {
    // An app composed without CoreModule's feature registry (a narrow test): default limits only.
  }
  return sources.map((source) => (typeof source === 'function' ? source(config) : source));
}
