/**
 * Waits `ms`, or less if `signal` aborts first (shutdown); never rejects. Removes its abort
 * listener when the timer fires, so calling it once per line of a file does not pile listeners
 * up on a long-lived signal.
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
