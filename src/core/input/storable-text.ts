/**
 * Text that is stored without being validated first (a multipart file name, a free-form label)
 * goes through here: PostgreSQL refuses U+0000 in text, and a lone UTF-16 surrogate would be
 * written as a replacement character anyway, so both become U+FFFD and the rest is kept.
 * Values a client chooses to match or identify something (usernames, filters) are refused
 * instead, by the input inspection (json-inspection.ts), because a silent change would make
 * them mean something else.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function toStorableText(text: string): string {
  return text.split('\u0000').join('\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

export function containsNul(text: string): boolean {
  return text.includes('\u0000');
}
