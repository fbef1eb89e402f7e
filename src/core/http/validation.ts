import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { DomainError, FieldError } from '../errors/domain-error';
import { inspectJson, JsonFinding, MAX_JSON_DEPTH } from '../input/json-inspection';

function join(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** Flattens class-validator's tree into `leads[0].number_of_samples`-style paths. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = join(parent, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message: message.replace(/^\S+\.(\S+)/, '$1') }));
    return [...own, ...fieldErrors(error.children ?? [], path)];
  });
}

export class RequestValidationError extends DomainError {
  constructor(errors: FieldError[]) {
    super('VALIDATION_FAILED', `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}.`, {
      kind: 'validation',
      errors,
    });
  }
}

export function nestingTooDeep(maxDepth = MAX_JSON_DEPTH): DomainError {
  return new DomainError('NESTING_TOO_DEEP', `The JSON body nests deeper than ${maxDepth} levels, the limit of this API.`, {
    kind: 'bad_request',
  });
}

/** The client error a finding of inspectJson stands for. */
export function inputProblem(finding: JsonFinding): DomainError {
  switch (finding.kind) {
    case 'too_deep':
      return nestingTooDeep(finding.maxDepth);
    case 'nul':
      return new RequestValidationError([{ path: finding.path, message: `${finding.path || 'value'} must not contain NUL (U+0000) characters` }]);
    case 'reserved_key':
      return new RequestValidationError([{ path: finding.path, message: `property ${finding.path} should not exist` }]);
  }
}

/**
 * The global pipe: first one iterative look at what the client sent (depth, NUL characters,
 * prototype-named keys), which nothing recursive or database-bound may see unchecked, then the
 * class-validator rules.
 */
export class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const finding = inspectJson(value, {
        rejectReservedKeys: metadata.type !== 'param',
        root: metadata.type === 'param' ? (metadata.data ?? '') : '',
      });
      // A path id no resource can have is simply not found, as any unknown id is.
      if (finding?.kind === 'nul' && metadata.type === 'param') {
        throw new DomainError('NOT_FOUND', `No resource has this ${metadata.data ?? 'id'}.`, { kind: 'not_found' });
      }
      if (finding) throw inputProblem(finding);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(fieldErrors(errors)),
  });
}
