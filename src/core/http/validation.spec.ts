import { IsOptional, IsString } from 'class-validator';
import { createValidationPipe } from './validation';

class FilterDto {
  @IsOptional() @IsString() q?: string;
}

describe('the global validation pipe', () => {
  const pipe = createValidationPipe();
  const body = (value: unknown) => pipe.transform(value, { type: 'body', metatype: FilterDto });
  const query = (value: unknown) => pipe.transform(value, { type: 'query', metatype: FilterDto });

  it('answers 400 NESTING_TOO_DEEP instead of overflowing the stack', async () => {
    const deep = JSON.parse(`{"q":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    await expect(body(deep)).rejects.toMatchObject({ code: 'NESTING_TOO_DEEP', kind: 'bad_request' });
  });

  it('refuses a NUL with 422 naming the field', async () => {
    await expect(query({ q: 'a\u0000' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'q', message: expect.stringMatching(/NUL/) }] });
    await expect(pipe.transform('\u0000', { type: 'param', data: 'id', metatype: String })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses __proto__ and constructor keys like any unknown key', async () => {
    await expect(query(Object.defineProperty(Object.create(null), '__proto__', { value: 'x', enumerable: true }))).rejects.toMatchObject({ errors: [{ path: '__proto__' }] });
    await expect(body(JSON.parse('{"constructor":{"name":"x"}}'))).rejects.toMatchObject({ errors: [{ path: 'constructor' }] });
    await expect(body({ unknown: 1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('lets clean input through to the class-validator rules', async () => {
    await expect(query({ q: 'fine' })).resolves.toEqual({ q: 'fine' });
  });
});
