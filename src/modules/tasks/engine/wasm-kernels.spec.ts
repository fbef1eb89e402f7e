import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { concatKernel, registerWasmKernels, sliceKernel, type TfKernelRegistry } from './wasm-kernels';

// The same engine the detector runs on (Human re-exports these packages), so the kernels are
// checked against the stock ones on the real wasm backend.
describe('wasm kernels (Concat, Pack, Unpack, Slice)', () => {
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    globalThis.fetch = (async (input: string | URL | Request) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return new Response(await readFile(url.replace(/^file:\/\//, '')), { status: 200 });
    }) as typeof fetch;
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'dist') + '/', true);
    await tf.setBackend('wasm');
  });

  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  const cases: [string, () => tf.Tensor][] = [
    ['concat on the channel axis (FaceBoxes inception)', () => tf.concat([tf.reshape(tf.range(0, 2 * 5 * 7 * 3), [2, 5, 7, 3]), tf.reshape(tf.range(500, 500 + 2 * 5 * 7 * 70), [2, 5, 7, 70])], 3)],
    ['concat on a middle axis, int32', () => tf.concat([tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4]), tf.reshape(tf.range(100, 116, 1, 'int32'), [2, 2, 4])], 1)],
    ['concat on axis 0 with an empty input', () => tf.concat([tf.zeros([0, 3]), tf.ones([2, 3]), tf.fill([1, 3], 7)], 0)],
    ['concat with a negative axis', () => tf.concat([tf.ones([3, 2]), tf.zeros([3, 1])], -1)],
    ['pack of anchor columns (FaceBoxes)', () => tf.stack([tf.range(0, 50), tf.range(100, 150), tf.range(200, 250), tf.range(300, 350)], 1)],
    ['pack on axis 0 and on a middle axis', () => tf.concat([tf.reshape(tf.stack([tf.ones([2, 3]), tf.zeros([2, 3])], 0), [2, 2, 3]), tf.reshape(tf.stack([tf.ones([2, 3]), tf.fill([2, 3], 4)], 1), [2, 2, 3])], 0)],
    ['unpack of box columns (FaceBoxes)', () => tf.stack(tf.unstack(tf.reshape(tf.range(0, 200), [50, 4]), 1), 0)],
    ['unpack on axis 0 and a middle axis, int32', () => tf.concat([...tf.unstack(tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4]), 0), ...tf.unstack(tf.reshape(tf.range(0, 24, 1, 'int32'), [3, 2, 4]), 1)], 0)],
    ['slice a column of boxes (rank 2)', () => tf.slice(tf.reshape(tf.range(0, 40), [10, 4]), [0, 1], [-1, 1])],
    ['slice rank 3, wide rows', () => tf.slice(tf.reshape(tf.range(0, 4 * 6 * 100), [4, 6, 100]), [1, 2, 3], [2, 3, 90])],
    ['slice rank 4', () => tf.slice(tf.reshape(tf.range(0, 2 * 5 * 6 * 3), [2, 5, 6, 3]), [1, 1, 2, 0], [1, 3, 3, 2])],
    ['slice contiguous (stock path)', () => tf.slice(tf.reshape(tf.range(0, 40), [10, 4]), [2, 0], [3, 4])],
    ['slice with a number begin', () => tf.slice(tf.reshape(tf.range(0, 12), [3, 4]), 1, 2)],
    ['slice rank 1 (stock path)', () => tf.slice(tf.range(0, 12), [3], [5])],
  ];

  it('gives exactly the stock kernels’ values and shapes, and registers once', () => {
    const stock = cases.map(([, make]) => tf.tidy(() => { const t = make(); return { shape: t.shape, values: Array.from(t.dataSync()) }; }));
    const registry = tf as unknown as TfKernelRegistry;
    registerWasmKernels(registry);
    const fastConcat = registry.getKernel('Concat', 'wasm')!.kernelFunc;
    registerWasmKernels(registry);
    expect(registry.getKernel('Concat', 'wasm')!.kernelFunc).toBe(fastConcat);
    for (const [i, [name, make]] of cases.entries()) {
      const fast = tf.tidy(() => { const t = make(); return { shape: t.shape, values: Array.from(t.dataSync()) }; });
      expect({ name, ...fast }).toEqual({ name, ...stock[i] });
    }
  });
});

describe('wasm kernels take the fast path', () => {
  it('for the channel concat and the column slice, not the stock fallback', () => {
    const backend = tf.backend() as never;
    const [a, b, boxes] = [tf.ones([1, 4, 4, 8]), tf.zeros([1, 4, 4, 16]), tf.ones([10, 4])];
    const joined = concatKernel({ inputs: [a, b], backend, attrs: { axis: 3 } });
    const column = sliceKernel({ inputs: { x: boxes }, backend, attrs: { begin: [0, 2], size: [-1, 1] } });
    expect(joined?.shape).toEqual([1, 4, 4, 24]);
    expect(column?.shape).toEqual([10, 1]);
    for (const t of [a, b, boxes]) t.dispose();
    for (const t of [joined, column]) tf.engine().disposeTensor(tf.engine().makeTensorFromTensorInfo(t as never));
  });
});
