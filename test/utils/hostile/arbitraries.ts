import fc from 'fast-check';
import { HOSTILE_CONTENT_TYPES, NASTY_BODIES, NASTY_STRINGS } from './nasty-values';
import type { ApiSpec, Operation, Schema } from './openapi-operations';
import type { HostileRequest } from './raw-http';

export interface Credentials {
  user: string;
  admin: string;
  /** Tokens that must be refused: forged, tampered, expired, wrong claims. */
  forged: string[];
  /** Real ids of the user's resources, by collection path (`/api/v1/jobs`), so deep code paths run. */
  ids: Map<string, string[]>;
}

const nasty = fc.constantFrom(...NASTY_STRINGS);
const anyText = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** A value the schema allows, or (one time in three at every level) a hostile one in its place. */
export function valueFor(spec: ApiSpec, raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = spec.resolve(raw);
  const hostile: fc.Arbitrary<unknown> = fc.oneof(
    anyText,
    fc.constantFrom(null, true, -1, 0, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5, [], {}, [null], { __proto__: null }),
  );
  let valid: fc.Arbitrary<unknown>;
  if (schema.enum) valid = fc.constantFrom(...schema.enum);
  else if (schema.oneOf || schema.anyOf) valid = fc.oneof(...(schema.oneOf ?? schema.anyOf)!.map((s) => valueFor(spec, s, depth + 1)));
  else if (schema.allOf) valid = valueFor(spec, Object.assign({}, ...schema.allOf.map((s) => spec.resolve(s))), depth + 1);
  else
    switch (schema.type) {
      case 'integer':
        valid = fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
        break;
      case 'number':
        valid = fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
        break;
      case 'boolean':
        valid = fc.boolean();
        break;
      case 'array':
        valid = depth > 4 ? fc.constant([]) : fc.array(valueFor(spec, schema.items ?? {}, depth + 1), { maxLength: 6 });
        break;
      case 'object':
      case undefined:
        if (schema.properties && depth <= 4) {
          const props = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, valueFor(spec, s, depth + 1)]));
          valid = fc.record(props, { requiredKeys: schema.required?.filter((k) => k in props) ?? [] });
        } else {
          valid = fc.jsonValue({ maxDepth: 2 });
        }
        break;
      default:
        valid =
          schema.format === 'uuid'
            ? fc.uuid()
            : schema.format === 'date-time'
              ? fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
              : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 64) });
    }
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

function collectionOf(path: string): string {
  return path.split('/{')[0];
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate goes as U+FFFD, as any client would send it). */
export function pct(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encodePathValue(value: string, raw: boolean): string {
  // Raw values keep deliberately broken escapes (`%zz`, `%ED%A0%80`); only bytes that cannot go on
  // the wire, and ? and #, are encoded.
  return raw ? pct(value).replace(/%([2-7][0-9A-F])/g, (m, hex: string) => (/[ ?#/\x7f]/.test(String.fromCharCode(parseInt(hex, 16))) ? m : String.fromCharCode(parseInt(hex, 16)))) : pct(value);
}

function multipart(fileName: string, content: string, field: string, star: boolean): { type: string; body: Buffer } {
  const boundary = 'hostileBoundary7MA4YWxkTrZu0gW';
  const disposition = star
    ? `form-data; name="${field}"; filename*=UTF-8''${pct(fileName)}`
    : `form-data; name="${field}"; filename="${fileName.replace(/["\r\n]/g, '_')}"`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8'),
    Buffer.from(content, 'utf8'),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { type: `multipart/form-data; boundary=${boundary}`, body };
}

const LOG_LINES = fc.constantFrom(
  '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"ok"}',
  '{"timestamp":"2024-W01-1","level":"INFO","message":"m"}',
  '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"a\\u0000"}',
  `{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
  '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","x":"\\ud800"}',
  'not json',
  '',
);

/** One hostile request for the operation: every slot a client controls may be valid, wrong or absent. */
export function requestFor(spec: ApiSpec, op: Operation, creds: Credentials): fc.Arbitrary<HostileRequest> {
  const realIds = op.method === 'DELETE' ? [] : (creds.ids.get(collectionOf(op.path)) ?? []);
  const pathValue = fc.oneof(
    { weight: realIds.length ? 4 : 0, arbitrary: realIds.length ? fc.constantFrom(...realIds) : fc.constant('x') },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: anyText },
  );
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const auth = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${creds.user}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${creds.admin}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...creds.forged.map((t) => `Bearer ${t}`), 'Bearer', 'Basic YWRtaW46YWRtaW4=', 'bearer  x') },
  );
  const query = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof(valueFor(spec, p.schema), fc.array(nasty, { minLength: 2, maxLength: 3 }))])),
    { requiredKeys: [] },
  );
  const extraQuery = fc.option(fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknown', 'limit[]', 'a%00'), anyText, { maxKeys: 2 }), {
    freq: 4,
  });
  const contentTypes = Object.keys(op.body ?? {});
  const jsonSchema = op.body?.['application/json'];
  const body: fc.Arbitrary<{ type?: string; body?: Buffer }> = !op.body
    ? fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_BODIES).map((b) => ({ type: 'application/json', body: Buffer.from(b) })) })
    : fc.oneof(
        {
          weight: jsonSchema ? 4 : 0,
          arbitrary: (jsonSchema ? valueFor(spec, jsonSchema) : fc.constant({})).map((value) => ({
            type: 'application/json',
            body: Buffer.from(JSON.stringify(value) ?? 'null'),
          })),
        },
        { weight: 2, arbitrary: fc.constantFrom(...NASTY_BODIES).map((b) => ({ type: 'application/json', body: Buffer.from(b) })) },
        {
          weight: contentTypes.includes('multipart/form-data') ? 5 : 1,
          arbitrary: fc
            .record({ name: fc.oneof(fc.constantFrom('a.jsonl', 'naïve-日本.jsonl', 'x.txt', '.jsonl', 'a\u0000.jsonl'), anyText), lines: fc.array(LOG_LINES, { maxLength: 4 }), star: fc.boolean(), field: fc.constantFrom('file', 'other', '') })
            .map(({ name, lines, star, field }) => multipart(name, lines.join('\n'), field, star)),
        },
        { weight: 2, arbitrary: fc.record({ type: fc.constantFrom(...HOSTILE_CONTENT_TYPES, ...contentTypes), body: fc.oneof(anyText, fc.constantFrom(...NASTY_BODIES)).map((b) => Buffer.from(b)) }) },
      );
  const extraHeaders = fc.option(
    fc.record(
      {
        'x-request-id': anyText.map((v) => v.replace(/[^\x20-\x7e]/g, '')),
        accept: fc.constantFrom('*/*', 'text/csv', 'application/xml', 'application/json;q=0', '%%%'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'x'),
        'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'),
      },
      { requiredKeys: [] },
    ),
    { freq: 3 },
  );

  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => fc.tuple(pathValue, fc.boolean()))),
      query,
      extraQuery,
      auth: op.secured ? auth : fc.oneof(fc.constant(undefined), auth),
      body,
      extraHeaders,
    })
    .map(({ path, query: q, extraQuery: extra, auth: authorization, body: b, extraHeaders: more }) => {
      let url = op.path;
      pathParams.forEach((p, i) => {
        const [value, raw] = path[i] as [string, boolean];
        url = url.replace(`{${p.name}}`, encodePathValue(String(value), raw));
      });
      const pairs: string[] = [];
      for (const [key, value] of Object.entries({ ...q, ...(extra ?? {}) })) {
        for (const v of Array.isArray(value) ? value : [value]) {
          if (v === undefined) continue;
          pairs.push(`${pct(key)}=${pct(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`);
        }
      }
      const headers: Record<string, string> = { ...(more ?? {}) };
      if (authorization) headers.authorization = authorization;
      if (b.type) headers['content-type'] = b.type;
      // A body may be sent where none is expected (GET with a body is legal HTTP).
      return { method: op.method, path: pairs.length ? `${url}?${pairs.join('&')}` : url, headers, body: b.body };
    });
}
