import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PocketsphinxOutputParser } from './pocketsphinx-output.parser';
import {
  EngineInterruptedError,
  EngineNotInstalledError,
  EngineState,
  EngineTimeoutError,
  engineTimeoutMs,
  Transcriber,
  TranscribeOptions,
  Transcript,
} from './transcriber';

export interface PocketsphinxOptions {
  /** Path to `pocketsphinx_continuous`. */
  binary: string;
  /** Debian's `pocketsphinx-en-us` layout: `en-us/` (acoustic model), `en-us.lm.bin`, `cmudict-en-us.dict`. */
  modelDir: string;
  /**
   * coreutils' stdbuf, to make the engine line-buffer its output when it is a pipe: otherwise
   * stdio holds 4 KB (a minute of speech) back and progress only moves in big jumps. Run
   * without it when it is missing.
   */
  stdbufPath?: string;
  /** Overrides engineTimeoutMs (tests). */
  timeoutMs?: (durationS: number) => number;
  /** Decoder settings after the model's; POCKETSPHINX_TUNING unless given (the evaluation compares with `[]`). */
  decoderArgs?: readonly string[];
}

/**
 * Decoder settings kept because they lowered the word error rate of `npm run eval:transcriptions`
 * (figures in docs/transcriptions.md); every other setting tried there is left at the engine's default.
 */
export const POCKETSPHINX_TUNING: readonly string[] = ['-bestpathlw', '12'];

const INSTALL_HINT = 'install the Debian packages pocketsphinx and pocketsphinx-en-us (apt-get install pocketsphinx pocketsphinx-en-us)';

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The engine runs at nice 10 (stdbuf execs it, so the pid is the engine's): under CPU contention
 * the event loop that answers HTTP, acks and heart-beats wins (bench:soak's p99). Harmless when
 * not permitted.
 */
export const ENGINE_NICE = 10;

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, ENGINE_NICE);
  } catch {
    // not permitted here, or already gone: keep the default priority
  }
}

/**
 * CMU PocketSphinx, offline, through Debian's `pocketsphinx_continuous`: one child process per
 * file (~110 MB RSS), so a crash or a kill never takes the worker with it.
 */
export class PocketsphinxTranscriber extends Transcriber {
  readonly name = 'pocketsphinx';

  constructor(private readonly options: PocketsphinxOptions) {
    super();
  }

  private get model() {
    const dir = this.options.modelDir;
    return { hmm: join(dir, 'en-us'), lm: join(dir, 'en-us.lm.bin'), dict: join(dir, 'cmudict-en-us.dict') };
  }

  async check(): Promise<EngineState> {
    if (!(await isExecutable(this.options.binary))) {
      return { installed: false, engine: this.name, detail: `${this.options.binary} was not found; ${INSTALL_HINT}, or set STT_POCKETSPHINX_BIN` };
    }
    const { hmm, lm, dict } = this.model;
    for (const file of [join(hmm, 'mdef'), lm, dict]) {
      if (!(await access(file, constants.R_OK).then(() => true, () => false))) {
        return { installed: false, engine: this.name, detail: `the English model file ${file} is missing; ${INSTALL_HINT}, or set STT_MODEL_DIR` };
      }
    }
    return { installed: true, engine: this.name };
  }

  async transcribe(wavPath: string, { language, durationS, signal, onProgress }: TranscribeOptions): Promise<Transcript> {
    const binary = this.options.binary;
    if (signal.aborted) throw new EngineInterruptedError(this.name);
    const { hmm, lm, dict } = this.model;
    const timeoutMs = (this.options.timeoutMs ?? engineTimeoutMs)(durationS);
    const args = ['-infile', wavPath, '-time', 'yes', '-logfn', '/dev/null', '-hmm', hmm, '-lm', lm, '-dict', dict, ...(this.options.decoderArgs ?? POCKETSPHINX_TUNING)];
    const stdbuf = this.options.stdbufPath ?? '/usr/bin/stdbuf';
    const [command, commandArgs] = (await isExecutable(stdbuf)) ? [stdbuf, ['-oL', binary, ...args]] : [binary, args];
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    lowerPriority(child.pid);
    const parser = new PocketsphinxOutputParser();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const doneS = parser.push(line);
      if (doneS !== undefined) onProgress?.(doneS);
    });

    let stoppedBy: 'timeout' | 'shutdown' | undefined;
    const stop = (why: 'timeout' | 'shutdown') => {
      stoppedBy ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('shutdown');
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort(); // aborted while the process was being started
    try {
      const { code, sig } = await new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve, reject) => {
        child.once('error', reject);
        // 'close', not 'exit': every stdout line has been parsed by then.
        child.once('close', (code, sig) => resolve({ code, sig }));
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'EACCES') throw new EngineNotInstalledError(`${binary} cannot be run (${error.code}); ${INSTALL_HINT}`);
        throw error;
      });
      if (stoppedBy === 'shutdown') throw new EngineInterruptedError(this.name);
      if (stoppedBy === 'timeout') throw new EngineTimeoutError(this.name, timeoutMs);
      // stdbuf answers 126/127 when it cannot run the engine.
      if (command === stdbuf && (code === 126 || code === 127)) throw new EngineNotInstalledError(`${binary} cannot be run; ${INSTALL_HINT}`);
      if (code !== 0) {
        const reason = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
        throw new Error(`${this.name} failed (${sig ? `killed by ${sig}` : `exit code ${code}`})${reason ? `: ${reason}` : ''}`);
      }
      return { ...parser.finish(), engine: this.name, language };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
