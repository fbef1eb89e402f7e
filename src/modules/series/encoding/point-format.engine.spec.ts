import { PointFormatEngine, THREAD_MIN_POINTS } from './point-format.engine';
import { csvPoints, jsonPoints, PointSource, timeAtOf } from './series-encoders';

const collect = async (pieces: AsyncIterable<Buffer>) => {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all).toString('latin1');
};

describe('PointFormatEngine', () => {
  const engine = new PointFormatEngine();
  afterAll(() => engine.onModuleDestroy());

  const n = THREAD_MIN_POINTS * 3 + 123;
  const values = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : Math.sin(i) * 10 ** ((i % 60) - 30)));

  it('formats a large uniform window in threads, byte for byte as on the event loop', async () => {
    const times = { startMs: Date.UTC(2025, 0, 1, 23, 59, 59), rate: 3, offset: 17 };
    const source: PointSource = { values, timeAt: timeAtOf(times), indexes: { from: 0, to: n }, times };
    expect(await collect(engine.pieces(source, 'json'))).toBe(Buffer.concat([...jsonPoints(source)]).toString('latin1'));
    expect(await collect(engine.pieces(source, 'csv'))).toBe(Buffer.concat([...csvPoints(source)]).toString('latin1'));
  });

  it('formats stored timestamps and a window not starting at 0', async () => {
    const times = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 7 + (i % 3));
    const source: PointSource = { values, timeAt: timeAtOf(times), indexes: { from: 5, to: n - 2 }, times };
    expect(await collect(engine.pieces(source, 'json'))).toBe(Buffer.concat([...jsonPoints(source)]).toString('latin1'));
  });

  it('formats small windows and samples on the event loop', async () => {
    const times = { startMs: 0, rate: 1000, offset: 0 };
    const small: PointSource = { values, timeAt: timeAtOf(times), indexes: { from: 0, to: 10 }, times };
    expect(await collect(engine.pieces(small, 'json'))).toBe(Buffer.concat([...jsonPoints(small)]).toString('latin1'));
  });
});
