import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { isUUID } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { parseInstant } from '../time/iso-instant';

/** `?limit=&cursor=` for every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s `next_cursor`' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * What one field of a cursor may hold. Cursors are decoded against this before any value reaches
 * a query: `int` is a non-negative 32-bit integer (line numbers, offsets), `number` any finite
 * number (a search rank), `uuid` a UUID,
 * `instant` an ISO-8601 instant as `toISOString()` writes it, `text` a short string without NUL.
 */
export type CursorFieldKind = 'int' | 'number' | 'uuid' | 'instant' | 'text';
export type CursorSpec = Record<string, CursorFieldKind>;

const MAX_CURSOR_TEXT = 256;

export class InvalidCursorError extends DomainError {
  constructor() {
    super('INVALID_CURSOR', 'The cursor is not one this API issued; pass `next_cursor` from the previous page as it is.', {
      kind: 'validation',
      errors: [{ path: 'cursor', message: 'cursor is not one this API issued' }],
    });
  }
}

function fits(kind: CursorFieldKind, value: unknown): boolean {
  switch (kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'uuid':
      return typeof value === 'string' && isUUID(value);
    case 'instant':
      return typeof value === 'string' && value.length <= 40 && typeof parseInstant(value) !== 'string';
    case 'text':
      return typeof value === 'string' && value.length <= MAX_CURSOR_TEXT && !value.includes('\u0000');
  }
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a cursor against the fields it must hold. Anything else (not base64url JSON, a missing
 * or extra field, a wrong type, a huge number, a non-UUID id) is 422 INVALID_CURSOR, never a
 * database error. Every field has a kind (there is no untyped form: each new paginated route
 * that forgot one answered 500 to a forged cursor until the hostile-input suite caught it).
 */
export function decodeCursor<K extends Record<string, string | number>>(cursor: string | undefined, spec: CursorSpec): K | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursorError();
  const record = key as Record<string, unknown>;
  const names = Object.keys(spec);
  if (Object.keys(record).length !== names.length) throw new InvalidCursorError();
  for (const name of names) {
    const value = record[name];
    if (!Object.prototype.hasOwnProperty.call(record, name) || !fits(spec[name], value)) throw new InvalidCursorError();
  }
  return record as K;
}

/**
 * Builds a page from `limit + 1` rows fetched in order: the extra row only says whether
 * another page exists.
 */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => Record<string, string | number>): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items: items.map(map), next_cursor: more && items.length ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
