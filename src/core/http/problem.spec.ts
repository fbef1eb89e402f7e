import { toProblem } from './problem';

describe('toProblem', () => {
  it('answers 401 when the owner of a new row no longer exists', () => {
    const error = Object.assign(new Error('insert or update on table "jobs" violates foreign key constraint "jobs_owner_id_fkey"'), {
      code: '23503',
      constraint: 'jobs_owner_id_fkey',
    });
    expect(toProblem(error)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('leaves every other database error a bug (500)', () => {
    expect(toProblem(Object.assign(new Error('x'), { code: '23503', constraint: 'log_rejections_job_id_fkey' }))).toBeUndefined();
    expect(toProblem(Object.assign(new Error('x'), { code: '22P02' }))).toBeUndefined();
  });
});
