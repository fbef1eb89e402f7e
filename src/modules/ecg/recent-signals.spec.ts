import { RecentSignals } from './recent-signals';

const lead = (samples: number) => [{ position: 0, name: 'I', samples: new Int32Array(samples) }];

describe('RecentSignals', () => {
  it('hands the signals over once', () => {
    const store = new RecentSignals(1_000, 60_000);
    store.put('a', lead(10));
    expect(store.take('a')?.[0].samples.length).toBe(10);
    expect(store.take('a')).toBeUndefined();
    expect(store.heldBytes).toBe(0);
  });

  it('drops the oldest entries past its byte bound, and refuses one larger than the bound', () => {
    const store = new RecentSignals(100, 60_000);
    store.put('a', lead(10));
    store.put('b', lead(10));
    store.put('c', lead(10));
    expect(store.take('a')).toBeUndefined();
    expect(store.take('b')).toBeDefined();
    store.put('huge', lead(1_000));
    expect(store.take('huge')).toBeUndefined();
    expect(store.take('c')).toBeDefined();
  });

  it('drops entries older than its age bound', () => {
    let now = 0;
    const store = new RecentSignals(1_000, 60_000, () => now);
    store.put('a', lead(10));
    now = 60_001;
    expect(store.take('a')).toBeUndefined();
    expect(store.heldBytes).toBe(0);
  });
});
