import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { MessageValidationError } from './messaging.errors';
import type { QueueDefinition } from './queue-definition';

/**
 * Turns a plain object into the queue's message DTO or throws `MessageValidationError` naming each
 * bad field. Publishing is strict (unknown fields are refused, like an HTTP body); consuming strips
 * unknown fields instead, so a producer deployed with a new optional field does not dead-letter
 * messages on workers that are still on the previous version.
 */
export async function toValidMessage<T extends object>(
  queue: QueueDefinition<T>,
  plain: unknown,
  side: 'publish' | 'consume',
): Promise<T> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new MessageValidationError(queue.name, [{ path: '', message: 'the message must be a JSON object' }]);
  }
  const message = plainToInstance(queue.message, plain as Record<string, unknown>);
  const errors = await validate(message, {
    whitelist: true,
    forbidNonWhitelisted: side === 'publish',
    forbidUnknownValues: true,
  });
  if (errors.length > 0) throw new MessageValidationError(queue.name, flatten(errors));
  return message;
}

/** Parses a delivered body; anything that is not JSON is reported like a validation failure. */
export function parseBody(queue: QueueDefinition, body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new MessageValidationError(queue.name, [{ path: '', message: 'the message body is not valid JSON' }]);
  }
}

function flatten(errors: ValidationError[], parent = ''): { path: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
