/** Builders for `.jsonl` log files as users upload them. */
export function logLine(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    timestamp: '2026-11-22T10:00:00Z',
    level: 'INFO',
    message: 'user logged in',
    service: 'auth',
    ...overrides,
  });
}

/** A file of `count` valid lines, line i carrying `seq: i` and a timestamp i seconds after the base. */
export function validLogFile(count: number, base = Date.parse('2026-11-22T10:00:00Z')): string {
  const levels = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
  const services = ['auth', 'billing', 'search'];
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    lines.push(
      logLine({
        timestamp: new Date(base + i * 1000).toISOString(),
        level: levels[i % levels.length],
        service: services[i % services.length],
        message: i % 10 === 0 ? `payment declined for order ${i}` : `request ${i} served`,
        seq: i,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}
