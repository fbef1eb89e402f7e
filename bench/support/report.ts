/**
 * One row of the `npm run bench` summary: what was measured, its floor in the same run, and the
 * number the issue's target applies to (a ratio to the floor, or the figure itself when there is
 * no floor, such as a p99 budget or a peak RSS). Each benchmark prints its rows with `reportRows`;
 * `bench/all.bench.ts` runs every benchmark in turn and collects them into one table.
 */
export interface BenchRow {
  /** What was measured, e.g. `GET /api/v1/users/me, 50 connections`. */
  workload: string;
  /** The figure as a reader wants it, e.g. `4,120 req/s, p99 21 ms`. */
  figure: string;
  /** The floor measured in the same run, e.g. `Nest hello 5,848 req/s`; empty when none. */
  floor: string;
  /** The number the target applies to (ratio or figure). */
  value: number;
  /** How `value` is shown, e.g. `0.74`, `1.8×`, `312 ms`, `281 MB`. */
  shown: string;
  /** The target on `value`: an operator and a number, e.g. `>= 0.7`, `<= 2`, `< 350`. */
  target: string;
}

const MARK = 'BENCH_ROW ';

/** Whether `value` meets `target` (`>= 0.7`, `<= 2`, `< 350`, `> 1`). */
export function met(value: number, target: string): boolean {
  const m = /^\s*(>=|<=|<|>)\s*([\d.]+)/.exec(target);
  if (!m) throw new Error(`unreadable target "${target}"`);
  const bound = Number(m[2]);
  return m[1] === '>=' ? value >= bound : m[1] === '<=' ? value <= bound : m[1] === '<' ? value < bound : value > bound;
}

/** Prints the rows as a small table for a person, and one machine-readable line each for `npm run bench`. */
export function reportRows(rows: BenchRow[]): void {
  console.log('');
  for (const row of rows) {
    console.log(`${row.workload}: ${row.figure}${row.floor ? ` | floor ${row.floor}` : ''} | ${row.shown} (target ${row.target}) ${met(row.value, row.target) ? 'met' : 'MISSED'}`);
  }
  for (const row of rows) console.log(MARK + JSON.stringify(row));
}

/** The rows a benchmark printed, read back from its output. */
export function parseRows(output: string): BenchRow[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(MARK))
    .map((line) => JSON.parse(line.slice(MARK.length)) as BenchRow);
}
