import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './horizon-api';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');
export const GENERATED_CLIENT_FILE = join(__dirname, 'horizon-api.ts');

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
}

/** An answer that the document does not describe: the status, or the body against its schema. */
export class ContractViolation extends Error {}

/**
 * Checks answers against the committed openapi.json, strictly: ajv with every format, no
 * additional leniency for `null` than the document itself gives (`nullable`, or `oneOf` with
 * `{type: 'null'}`). Unknown OpenAPI words (`example`) are annotations, not constraints.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly document: Document;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file = OPENAPI_FILE) {
    this.document = JSON.parse(readFileSync(file, 'utf8')) as Document;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.document as object, 'openapi');
  }

  /** Throws ContractViolation when `status` / `body` is not what the operation documents. */
  check(method: string, pathTemplate: string, status: number, contentType: string, body: unknown): void {
    const where = `${method.toUpperCase()} ${pathTemplate} → ${status}`;
    const operation = this.document.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new ContractViolation(`${where}: no such operation in openapi.json`);
    const key = String(status) in operation.responses ? String(status) : 'default';
    const response = operation.responses[key];
    if (!response) throw new ContractViolation(`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    const mediaType = contentType.split(';')[0].trim();
    if (!response.content || status === 204) return;
    const media = response.content[mediaType];
    if (!media) throw new ContractViolation(`${where}: content type ${mediaType} not documented (${Object.keys(response.content).join(', ')})`);
    if (!/json/.test(mediaType)) return;
    const pointer = ['paths', pathTemplate, method.toLowerCase(), 'responses', key, 'content', mediaType, 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#/${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (!validate(body)) {
      throw new ContractViolation(`${where}: body does not match openapi.json: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}

export type HorizonClient = Client<paths>;

/**
 * The typed client generated from openapi.json (openapi-typescript + openapi-fetch), checking
 * every answer it receives against the document; a violation fails the call that got it.
 */
export function horizonClient(baseUrl: string, token?: string, validator = new OpenApiValidator()): HorizonClient {
  const client = createClient<paths>({ baseUrl, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const validate: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const contentType = response.headers.get('content-type') ?? '';
      const text = await response.clone().text();
      const body = text && /json/.test(contentType) ? (JSON.parse(text) as unknown) : text;
      validator.check(request.method, schemaPath, response.status, contentType, body);
      return response;
    },
  };
  client.use(validate);
  return client;
}
