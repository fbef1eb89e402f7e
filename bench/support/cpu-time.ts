import { readFileSync } from 'node:fs';

export interface CpuSeconds {
  /** This process (Node: the app, the bench's own work). */
  own: number;
  /** Its finished child processes (ffmpeg, the engine), counted once they have exited. */
  children: number;
}

/**
 * CPU seconds used so far by this process and by its finished children, from /proc: unlike wall
 * time, it hardly moves when other work shares the machine.
 */
export function cpuSeconds(): CpuSeconds {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const tick = 100; // USER_HZ on Linux
  // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14.
  return { own: (Number(fields[11]) + Number(fields[12])) / tick, children: (Number(fields[13]) + Number(fields[14])) / tick };
}

/** Runs `work`, answering its wall time in ms and the CPU seconds it cost this process and its children. */
export async function measured<T>(work: () => Promise<T>): Promise<{ ms: number; cpu: CpuSeconds; result: T }> {
  const cpu0 = cpuSeconds();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const cpu1 = cpuSeconds();
  return { ms, cpu: { own: cpu1.own - cpu0.own, children: cpu1.children - cpu0.children }, result };
}
