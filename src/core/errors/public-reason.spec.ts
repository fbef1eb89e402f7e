import { DomainError } from './domain-error';
import { publicReason } from './public-reason';

describe('publicReason', () => {
  it('keeps a domain error message, and names only a category for anything else', () => {
    expect(publicReason(new DomainError('X', 'The file is not UTF-8 text.'))).toBe('The file is not UTF-8 text.');
    expect(publicReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(
      'the database, the broker or the storage was unavailable',
    );
    expect(publicReason(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toMatch(/unavailable/);
    const internal = publicReason(new Error('relation "log_entries" does not exist at /srv/app/dist/x.js:1'));
    expect(internal).toBe('an internal error (logged on the server)');
  });
});
