import type { OpenAPIObject } from '@nestjs/swagger';
import { addStandardAnswers, nullableReferences } from './openapi';

describe('addStandardAnswers', () => {
  const document = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{id}': {
        get: { security: [{ bearer: [] }], parameters: [{ name: 'id', in: 'path', required: true }], responses: { '200': { description: 'ok' } } },
      },
      '/things': {
        post: { requestBody: { content: { 'application/json': { schema: {} } } }, responses: { '201': { description: 'ok' }, '409': { description: 'taken' } } },
      },
      '/health': { get: { responses: { '200': { description: 'ok' } } } },
    },
  });

  it('adds the answers an operation gets from where it sits, as problem+json', () => {
    const paths = addStandardAnswers(document()).paths;
    expect(Object.keys(paths['/things/{id}'].get!.responses).sort()).toEqual(['200', '401', '404']);
    expect(Object.keys(paths['/things'].post!.responses).sort()).toEqual(['201', '400', '409', '413', '415', '422']);
    expect(Object.keys(paths['/health'].get!.responses)).toEqual(['200']);
    expect(paths['/things'].post!.responses['409']).toMatchObject({ description: 'taken', content: { 'application/problem+json': expect.any(Object) } });
  });

  it('documents 503 STORAGE_UNAVAILABLE on uploads only', () => {
    const doc = document();
    doc.paths['/files'] = { post: { requestBody: { content: { 'multipart/form-data': { schema: {} } } }, responses: { '202': { description: 'ok' } } } };
    const paths = addStandardAnswers(doc).paths;
    expect(paths['/files'].post!.responses['503']).toMatchObject({ description: expect.stringContaining('STORAGE_UNAVAILABLE') });
    expect(paths['/things'].post!.responses['503']).toBeUndefined();
  });
});

describe('nullableReferences', () => {
  it('turns a nullable reference into oneOf [ref, null], keeping its description, and leaves the rest alone', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {},
      components: {
        schemas: {
          Task: {
            type: 'object',
            properties: {
              engine: { nullable: true, type: 'object', description: 'once run', allOf: [{ $ref: '#/components/schemas/Engine' }] },
              backtest: { description: 'always there', allOf: [{ $ref: '#/components/schemas/Backtest' }] },
              error: { type: 'string', nullable: true },
            },
          },
        },
      },
    } as OpenAPIObject;
    const properties = (nullableReferences(document).components!.schemas!.Task as { properties: Record<string, unknown> }).properties;
    expect(properties.engine).toEqual({ description: 'once run', oneOf: [{ $ref: '#/components/schemas/Engine' }, { type: 'null' }] });
    expect(properties.backtest).toEqual({ description: 'always there', allOf: [{ $ref: '#/components/schemas/Backtest' }] });
    expect(properties.error).toEqual({ type: 'string', nullable: true });
  });
});
