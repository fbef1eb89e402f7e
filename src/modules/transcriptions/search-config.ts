/**
 * The PostgreSQL text search configuration of a transcript's language. `english` stems
 * (`foxes` finds `fox`) and drops stop words; every other language gets `simple` (lower-cased
 * words, no stemming) until it gets a configuration of its own. The migration's generated column
 * holds the same mapping in SQL; keep the two in step.
 */
export type SearchConfig = 'english' | 'simple';

const CONFIGS: Record<string, SearchConfig> = { en: 'english' };

export function searchConfigFor(language: string): SearchConfig {
  return CONFIGS[language] ?? 'simple';
}

/** Languages the engine transcribes today; the upload refuses others with the list. */
export const SUPPORTED_LANGUAGES = ['en'] as const;
