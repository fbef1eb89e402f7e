import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AppConfig } from '../src/core/config/app-config';
import { runFfmpeg } from '../src/core/media/ffmpeg';
import { convertForEngine, ENGINE_AUDIO_FILTER } from '../src/modules/transcriptions/audio/audio-converter';
import { POCKETSPHINX_TUNING, PocketsphinxTranscriber } from '../src/modules/transcriptions/engine/pocketsphinx.transcriber';
import { errorRate, sumWordErrors, WordErrors, wordErrors } from '../src/modules/transcriptions/engine/word-error-rate';
import { AUDIO_FIXTURES_DIR, AUDIO_TEXTS } from '../test/factories/audio-fixtures';
import { measured } from './support/cpu-time';

/**
 * `npm run eval:transcriptions`: word error rate of the real engine (ffmpeg conversion +
 * pocketsphinx_continuous, as the worker runs them) on speech with known transcripts, with the
 * engine's defaults (the baseline) beside the settings the service ships, and CPU seconds per
 * audio second (real-time factor, model loading included, as every job pays it).
 *
 * Sets:
 *  - librivox: Debian `pocketsphinx-testdata`'s five LibriVox clips (real recorded speech, a
 *    human reader of Sense and Sensibility, public domain) and their transcripts;
 *  - telephone: the same clips resampled to 8 kHz, as a phone line carries them: the model
 *    cannot serve them, and the converter must say so (`narrowband` → the transcription's warning);
 *  - cards: the package's five read playing-card names (short, isolated words);
 *  - flite: the project's own synthetic fixtures (test/fixtures/audio, Debian flite's slt voice).
 *
 * `--try` also scores each candidate setting on the wideband sets (how the shipped ones were chosen).
 */
const TESTDATA = process.env.POCKETSPHINX_TESTDATA ?? '/usr/share/pocketsphinx/test/data';

/**
 * CI fails the run past these (the engine is deterministic, so the figures only move when the
 * engine, its model or our settings do): LibriVox WER with the shipped settings, and the
 * narrowband flag (every telephone clip flagged, no wideband one).
 */
const MAX_LIBRIVOX_WER = 0.33;

interface Clip {
  name: string;
  path: string;
  reference: string;
}
interface EvalSet {
  name: string;
  clips: Clip[];
  /** Whether the converter should flag every clip (true) or none (false). */
  narrowband: boolean;
}
interface Variant {
  name: string;
  decoderArgs: readonly string[];
  filter: string | null;
}
interface ClipResult {
  clip: Clip;
  hypothesis: string;
  errors: WordErrors;
  durationS: number;
  cpuS: number;
  narrowband: boolean;
  highBandDb?: number;
}

/** `<s> words </s> (file-id)` lines, as Sphinx's test sets write transcripts. */
function readSphinxTranscripts(dir: string, file: string): Clip[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .map((line) => /^\s*(?:<s>)?(.*?)(?:<\/s>)?\s*\(([^)]+)\)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, text, id]) => ({ name: id, path: join(dir, `${id}.wav`), reference: text.trim() }));
}

async function loadSets(ffmpegPath: string, workDir: string): Promise<EvalSet[]> {
  if (!existsSync(join(TESTDATA, 'librivox', 'transcription'))) {
    throw new Error(`${TESTDATA} has no LibriVox clips: apt-get install pocketsphinx-testdata (or set POCKETSPHINX_TESTDATA)`);
  }
  const librivox = readSphinxTranscripts(join(TESTDATA, 'librivox'), 'transcription');
  const telephone: Clip[] = [];
  for (const clip of librivox) {
    const path = join(workDir, `${clip.name}-8k.wav`);
    // A phone line's band (300–3400 Hz) at its sampling rate: what a call recording holds.
    await runFfmpeg(ffmpegPath, ['-y', '-i', clip.path, '-af', 'highpass=f=300,lowpass=f=3400', '-ar', '8000', '-ac', '1', path]);
    telephone.push({ ...clip, name: `${clip.name} (8 kHz)`, path });
  }
  const cards = readSphinxTranscripts(join(TESTDATA, 'cards'), 'cards.transcription');
  const flite = Object.entries(AUDIO_TEXTS).map(([name, reference]) => ({ name, path: join(AUDIO_FIXTURES_DIR, name), reference }));
  return [
    { name: 'librivox', clips: librivox, narrowband: false },
    { name: 'telephone', clips: telephone, narrowband: true },
    { name: 'cards', clips: cards, narrowband: false },
    { name: 'flite', clips: flite, narrowband: false },
  ];
}

async function runClip(config: AppConfig, variant: Variant, clip: Clip, workDir: string): Promise<ClipResult> {
  const engine = new PocketsphinxTranscriber({ binary: config.stt.pocketsphinxBin, modelDir: config.stt.modelDir, decoderArgs: variant.decoderArgs });
  const { cpu, result } = await measured(async () => {
    const audio = await convertForEngine(config.ffmpegPath!, clip.path, join(workDir, `${basename(clip.path)}-${Math.random()}.wav`), {
      maxDurationS: 3600,
      filter: variant.filter,
    });
    const transcript = await engine.transcribe(audio.path, { language: 'en', durationS: audio.durationS, signal: new AbortController().signal });
    await rm(audio.path, { force: true });
    return { audio, transcript };
  });
  return {
    clip,
    hypothesis: result.transcript.text,
    errors: wordErrors(clip.reference, result.transcript.text),
    durationS: result.audio.durationS,
    cpuS: cpu.children + cpu.own,
    narrowband: result.audio.narrowband,
    highBandDb: result.audio.highBandDb,
  };
}

async function runSet(config: AppConfig, variant: Variant, set: EvalSet, workDir: string): Promise<ClipResult[]> {
  const results: ClipResult[] = [];
  for (const clip of set.clips) results.push(await runClip(config, variant, clip, workDir));
  return results;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const setWer = (results: ClipResult[]) => errorRate(...results.map((r) => r.errors));
const rtf = (results: ClipResult[]) => results.reduce((a, r) => a + r.cpuS, 0) / results.reduce((a, r) => a + r.durationS, 0);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Candidates scored by `--try`; each alone against the baseline, then the kept ones together. */
const CANDIDATES: Variant[] = [
  { name: 'loudnorm (EBU R128)', decoderArgs: [], filter: 'loudnorm' },
  { name: 'dynaudnorm', decoderArgs: [], filter: 'dynaudnorm' },
  { name: 'volume -10 dB', decoderArgs: [], filter: 'volume=-10dB' },
  { name: 'volume +6 dB', decoderArgs: [], filter: 'volume=6dB' },
  { name: 'afftdn (FFT denoise)', decoderArgs: [], filter: 'afftdn' },
  { name: 'highpass 80 Hz', decoderArgs: [], filter: 'highpass=f=80' },
  { name: '-bestpathlw 12', decoderArgs: ['-bestpathlw', '12'], filter: null },
  { name: '-lw 8 -bestpathlw 12', decoderArgs: ['-lw', '8', '-fwdflatlw', '10', '-bestpathlw', '12'], filter: null },
  { name: '-remove_noise no', decoderArgs: ['-remove_noise', 'no'], filter: null },
  { name: '-wip 0.2', decoderArgs: ['-wip', '0.2'], filter: null },
  { name: '-beam 1e-60 wider', decoderArgs: ['-beam', '1e-60', '-wbeam', '1e-40', '-pbeam', '1e-60'], filter: null },
  { name: '-topn 8', decoderArgs: ['-topn', '8'], filter: null },
  { name: '-silprob 0.1', decoderArgs: ['-silprob', '0.1'], filter: null },
  { name: 'volume -20 dB', decoderArgs: [], filter: 'volume=-20dB' },
  { name: '-bestpathlw 11', decoderArgs: ['-bestpathlw', '11'], filter: null },
  { name: '-bestpathlw 14', decoderArgs: ['-bestpathlw', '14'], filter: null },
  { name: '-bestpathlw 12, -10 dB', decoderArgs: ['-bestpathlw', '12'], filter: 'volume=-10dB' },
  { name: '-bestpathlw 14, -10 dB', decoderArgs: ['-bestpathlw', '14'], filter: 'volume=-10dB' },
];

async function main(): Promise<void> {
  const config = AppConfig.from({});
  if (!config.ffmpegPath) throw new Error('no ffmpeg: set FFMPEG_PATH');
  const state = await new PocketsphinxTranscriber({ binary: config.stt.pocketsphinxBin, modelDir: config.stt.modelDir }).check();
  if (!state.installed) throw new Error(`speech-to-text engine not installed: ${state.detail}`);
  const workDir = await mkdtemp(join(tmpdir(), 'horizon-eval-stt-'));
  try {
    const sets = await loadSets(config.ffmpegPath, workDir);
    const baseline: Variant = { name: 'engine defaults', decoderArgs: [], filter: null };
    const shipped: Variant = { name: 'shipped', decoderArgs: POCKETSPHINX_TUNING, filter: ENGINE_AUDIO_FILTER ?? null };

    const tryArg = process.argv.find((a) => a === '--try' || a.startsWith('--try='));
    if (tryArg) {
      const wideband = sets.filter((s) => !s.narrowband);
      // `--try=<regex>` scores only the candidates whose name matches.
      const only = tryArg.includes('=') ? new RegExp(tryArg.slice('--try='.length)) : undefined;
      console.log(`\ncandidate settings, WER per wideband set (load average ${load()})`);
      for (const variant of [baseline, ...CANDIDATES.filter((c) => !only || only.test(c.name))]) {
        const wers = [];
        for (const set of wideband) wers.push(`${set.name} ${pct(setWer(await runSet(config, variant, set, workDir))).padStart(7)}`);
        console.log(`${variant.name.padEnd(24)} ${wers.join('   ')}`);
      }
    }

    const rows: { set: EvalSet; base: ClipResult[]; ship: ClipResult[] }[] = [];
    for (const set of sets) rows.push({ set, base: await runSet(config, baseline, set, workDir), ship: await runSet(config, shipped, set, workDir) });

    console.log(`\nSpeech-to-text evaluation: pocketsphinx (en-us), ffmpeg conversion included; load average ${load()}`);
    console.log(`shipped settings: decoder [${shipped.decoderArgs.join(' ')}], filter ${shipped.filter ?? 'none'}`);
    const header = ['set', 'clips', 'words', 'audio s', 'WER defaults', 'WER shipped', 'S/D/I shipped', 'flagged narrowband', 'RTF (CPU s / audio s)'];
    const table = rows.map(({ set, base, ship }) => {
      const e = sumWordErrors(ship.map((r) => r.errors));
      const flagged = ship.filter((r) => r.narrowband).length;
      return [
        set.name,
        String(set.clips.length),
        String(e.referenceWords),
        ship.reduce((a, r) => a + r.durationS, 0).toFixed(1),
        pct(setWer(base)),
        pct(setWer(ship)),
        `${e.substitutions}/${e.deletions}/${e.insertions}`,
        `${flagged}/${ship.length} (want ${set.narrowband ? ship.length : 0})`,
        rtf(ship).toFixed(3),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(line(header));
    for (const r of table) console.log(line(r));
    if (process.argv.includes('--verbose')) {
      for (const { ship } of rows) {
        for (const r of ship) console.log(`  ${r.clip.name}: ${pct(errorRate(r.errors))}, high band ${r.highBandDb ?? '-'} dB\n    ref: ${r.clip.reference}\n    hyp: ${r.hypothesis}`);
      }
    }
    const all = rows.flatMap((r) => r.ship);
    console.log(
      `\nWER ${rows.map((r) => `${r.set.name} ${pct(setWer(r.ship))}`).join(', ')} (engine defaults: ${rows.map((r) => pct(setWer(r.base))).join(', ')}); ` +
        `narrowband flagged ${rows.filter((r) => r.set.narrowband).map((r) => `${r.ship.filter((c) => c.narrowband).length}/${r.ship.length}`).join(', ')} telephone, ` +
        `${rows.filter((r) => !r.set.narrowband).reduce((a, r) => a + r.ship.filter((c) => c.narrowband).length, 0)} wideband; real-time factor ${rtf(all).toFixed(3)} (load ${load()})`,
    );
    const failures = [
      ...rows.filter((r) => r.set.name === 'librivox' && setWer(r.ship) > MAX_LIBRIVOX_WER).map((r) => `LibriVox WER ${pct(setWer(r.ship))} is above ${pct(MAX_LIBRIVOX_WER)}`),
      ...rows.flatMap((r) => r.ship.filter((c) => c.narrowband !== r.set.narrowband).map((c) => `${c.clip.name} ${c.narrowband ? 'flagged' : 'not flagged'} as narrowband`)),
    ];
    if (failures.length) {
      console.error(`\nFAILED: ${failures.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
