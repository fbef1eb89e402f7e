import type { LogEntry } from './log-entry';

// COPY text format: backslash, tab, newline and carriage return are the only specials.
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

// jsonb refuses a lone UTF-16 surrogate escape, which JSON.stringify emits for one; make it U+FFFD.
const LONE_SURROGATE = /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/gi;

/** One `log_entries` row in COPY text format: job_id, line_no, timestamp, level, service, message, attributes. */
export function toCopyRow(jobId: string, lineNo: number, entry: LogEntry): string {
  const attributes = JSON.stringify(entry.attributes).replace(LONE_SURROGATE, '\\ufffd');
  return `${jobId}\t${lineNo}\t${entry.timestamp.toISOString()}\t${entry.level}\t${
    entry.service === null ? '\\N' : copyText(entry.service)
  }\t${copyText(entry.message)}\t${copyText(attributes)}\n`;
}
