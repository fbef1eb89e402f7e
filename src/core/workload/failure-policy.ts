import { DomainError } from '../errors/domain-error';
import { publicReason } from '../errors/public-reason';

/**
 * The one rule for what a failed row says to its owner. A domain error (missing file, undecodable
 * media) names its own cause; anything else (a crash, a driver error) only its category from
 * publicReason, never its text: driver messages, SQL and server paths belong in the logs.
 */
export function deadLetterReason(error: unknown, attempts: number): string {
  if (error instanceof DomainError) return error.message;
  return `Processing failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${publicReason(error)}. It will not be retried.`;
}

/** Why a row whose work keeps stopping mid-way (a crash loop) is failed instead of started again. */
export function exhaustedReason(budget: number): string {
  return `Processing was interrupted ${budget} time${budget === 1 ? '' : 's'} without finishing; it will not be retried.`;
}

/**
 * Whether a row started for the `attempts`-th time is past the workload's budget. `attempts`
 * counts starts without finishing (a store may reset it when the work checkpoints progress).
 */
export function isOverBudget(attempts: number | undefined, budget: number): boolean {
  return attempts !== undefined && attempts > budget;
}
