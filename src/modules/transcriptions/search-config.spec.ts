import { searchConfigFor } from './search-config';

describe('searchConfigFor', () => {
  it('stems English transcripts', () => {
    expect(searchConfigFor('en')).toBe('english');
  });

  it('falls back to the language-neutral configuration for any other language', () => {
    expect(searchConfigFor('fr')).toBe('simple');
    expect(searchConfigFor('')).toBe('simple');
  });
});
