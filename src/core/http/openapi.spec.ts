import type { OpenAPIObject } from '@nestjs/swagger';
import { addStandardAnswers } from './openapi';

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
});
