import type { TranscriptSegment, TranscriptWord } from './transcriber';

/** `word start end confidence`, as `pocketsphinx_continuous -time yes` prints it. */
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i;

/** Silence and noise markers, not words: `<s>`, `</s>`, `<sil>`, `[NOISE]`, `++BREATH++`... */
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

/** Alternative pronunciations come back as `read(2)`; the word is `read`. */
const VARIANT = /\(\d+\)$/;

export interface ParsedTranscript {
  text: string;
  segments: TranscriptSegment[];
  words: TranscriptWord[];
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/**
 * Reads pocketsphinx's output line by line: each utterance is a hypothesis line followed by its
 * word lines. Segments come from the word lines (their times and their words, fillers dropped),
 * so a hypothesis line with no timed words behind it adds nothing.
 */
export class PocketsphinxOutputParser {
  private readonly segments: TranscriptSegment[] = [];
  private readonly words: TranscriptWord[] = [];
  private current: TranscriptWord[] = [];

  /** Feeds one output line; answers the end time of the last word read, if the line was a word. */
  push(rawLine: string): number | undefined {
    const line = rawLine.trim();
    if (!line) return undefined;
    const m = WORD_LINE.exec(line);
    if (!m) {
      this.closeSegment(); // a hypothesis line starts the next utterance
      return undefined;
    }
    const [, token, start, end, confidence] = m;
    const endS = Number(end);
    if (FILLER.test(token)) {
      if (token === '</s>') this.closeSegment();
      return endS;
    }
    this.current.push({
      word: token.replace(VARIANT, '').toLowerCase(),
      start_s: round(Number(start)),
      end_s: round(endS),
      confidence: Math.min(1, Math.max(0, round(Number(confidence)))),
    });
    return endS;
  }

  finish(): ParsedTranscript {
    this.closeSegment();
    return { text: this.segments.map((s) => s.text).join(' '), segments: [...this.segments], words: [...this.words] };
  }

  private closeSegment(): void {
    if (this.current.length === 0) return;
    const words = this.current;
    this.current = [];
    this.words.push(...words);
    this.segments.push({ start_s: words[0].start_s, end_s: words[words.length - 1].end_s, text: words.map((w) => w.word).join(' ') });
  }
}

export function parsePocketsphinxOutput(output: string): ParsedTranscript {
  const parser = new PocketsphinxOutputParser();
  for (const line of output.split(/\r?\n/)) parser.push(line);
  return parser.finish();
}
