import type { INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ApiExcludeController, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, PathItemObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `code` is stable, `errors[]` names each invalid field',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', example: 'VALIDATION_FAILED' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    request_id: { type: 'string' },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The answers every operation can give because of where it sits, not what it does: added once
 * here so that no route forgets them (401 behind the bearer guard, 404 for an unknown path id,
 * 400/413/415/422 for a body, 422 for query parameters), each as problem+json.
 */
export function addStandardAnswers(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA } };
  const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    for (const method of METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const answers: Record<string, string> = {};
      if (op.security?.length) answers['401'] = 'Missing, expired or invalid bearer token (UNAUTHORIZED)';
      if (/\{[^}]+\}/.test(path)) answers['404'] = 'No such resource among yours (NOT_FOUND or a feature code)';
      const hasQuery = (op.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
      if (op.requestBody) {
        answers['400'] = 'Malformed body, or JSON nested deeper than 64 levels (MALFORMED_JSON, NESTING_TOO_DEEP)';
        answers['413'] = 'Body over the route limit (PAYLOAD_TOO_LARGE)';
        answers['415'] = 'A content type the route does not take (UNSUPPORTED_MEDIA_TYPE)';
      }
      if (op.requestBody || hasQuery) answers['422'] = 'Invalid fields, named in `errors[]` (VALIDATION_FAILED, INVALID_CURSOR)';
      if (takesFile(op)) answers['503'] = 'Object storage unavailable: nothing was stored, retry later (STORAGE_UNAVAILABLE)';
      for (const [status, description] of Object.entries(answers)) {
        op.responses[status] ??= { description };
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && !(response as ResponseObject).content) (response as ResponseObject).content = problemContent;
      }
    }
  }
  return document;
}

/** An upload: its bytes go to object storage, which may be away. */
function takesFile(op: OperationObject): boolean {
  const content = (op.requestBody as { content?: Record<string, unknown> } | undefined)?.content ?? {};
  return Object.keys(content).some((type) => type === 'multipart/form-data' || type === 'application/octet-stream');
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  excludeControllersWithoutRoutes(app);
  const config = new DocumentBuilder()
    .setTitle('Horizon API')
    .setDescription(
      'Upload it, process it in the background, watch it finish. Errors are RFC 9457 problem+json with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } } }, 'oauth2')
    .build();
  return nullableReferences(
    addStandardAnswers(
      SwaggerModule.createDocument(app, config, {
        operationIdFactory: (_controllerKey, methodKey) => methodKey,
      }),
    ),
  );
}

/**
 * `@ApiProperty({ type: SomeDto, nullable: true })` comes out of @nestjs/swagger as
 * `{nullable: true, type: 'object', allOf: [{$ref}]}`: `nullable` does not reach into `allOf`, so
 * a strict validator (ajv) rejects the `null` the API really sends (a task's `engine` before it
 * ran). Rewritten as `oneOf: [{$ref}, {type: 'null'}]`, which validators and client generators
 * (openapi-typescript: `SomeDto | null`) read as meant; the description stays beside it.
 */
export function nullableReferences(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {}) as { properties?: Record<string, Record<string, unknown>> }[]) {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const allOf = property.allOf as unknown[] | undefined;
      if (property.nullable !== true || allOf?.length !== 1) continue;
      const { nullable: _nullable, type: _type, allOf: _allOf, ...rest } = property;
      schema.properties![name] = { ...rest, oneOf: [allOf[0], { type: 'null' }] };
    }
  }
  return document;
}

/**
 * Queue consumers are controllers (Nest registers `@EventPattern` handlers only there) but serve no
 * route; left in, Swagger would list their message DTOs as API schemas.
 */
function excludeControllersWithoutRoutes(app: INestApplication): void {
  const scanner = new MetadataScanner();
  for (const { metatype } of app.get(DiscoveryService, { strict: false }).getControllers()) {
    if (!metatype?.prototype) continue;
    const prototype = metatype.prototype as Record<string, unknown>;
    const routes = scanner.getAllMethodNames(prototype).filter((name) => Reflect.hasMetadata(PATH_METADATA, prototype[name] as object));
    if (routes.length === 0) ApiExcludeController()(metatype);
  }
}
