import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON schema fragment as @nestjs/swagger writes it (only what the generators read). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  id: string;
  method: string;
  /** `/api/v1/jobs/{id}/entries` */
  path: string;
  parameters: Parameter[];
  /** content type → schema */
  body?: Record<string, Schema>;
  secured: boolean;
  statuses: string[];
}

export interface ApiSpec {
  operations: Operation[];
  resolve(schema: Schema): Schema;
}

/** Every operation of the committed openapi.json: the suite covers what the spec lists, nothing hand-picked. */
export function loadOperations(file = join(__dirname, '../../../openapi.json')): ApiSpec {
  const document = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, Schema> };
  };
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Schema): Schema => {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 10; hops += 1) current = schemas[current.$ref.split('/').pop()!] ?? {};
    return current;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as {
        operationId?: string;
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema?: Schema }> };
        security?: unknown[];
        responses: Record<string, unknown>;
      };
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, required: p.required ?? p.in === 'path', schema: p.schema ?? { type: 'string' } })),
        body: op.requestBody
          ? Object.fromEntries(Object.entries(op.requestBody.content).map(([type, media]) => [type, media.schema ?? {}]))
          : undefined,
        secured: (op.security ?? []).length > 0,
        statuses: Object.keys(op.responses),
      });
    }
  }
  return { operations, resolve };
}
