import { registerDecorator, ValidationArguments } from 'class-validator';
import { parseInstant } from './iso-instant';

/**
 * A query or body field that must be an instant `parseInstant` reads (with `dateOnly`, a bare
 * date too). class-validator's IsISO8601 accepts week, ordinal and basic forms that `new Date()`
 * cannot read, which is how an "ISO-8601" filter used to become a 500.
 */
export function IsIsoInstant(options: { dateOnly?: boolean } = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && typeof parseInstant(value, options) !== 'string',
        defaultMessage: ({ property, value }: ValidationArguments) =>
          `${property} ${typeof value === 'string' && value.length <= 64 ? parseInstant(value, options) : 'must be a string'}`,
      },
    });
}
