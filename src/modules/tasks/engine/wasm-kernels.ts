/**
 * Faster JS kernels for four copy ops of the tfjs wasm backend that are JS there, not wasm:
 * Concat, Pack, Unpack and Slice. The profile of `npm run eval:anonymisation` (docs/performance.md)
 * had them at ~10 % of the engine's CPU: FaceBoxes concatenates its inception branches on the
 * channel axis (tens of thousands of rows of 24–64 values), stacks and unstacks its ~27,000 anchor
 * boxes by column ([27280, 4], one value per row), and the stock kernels copy each row with
 * `subarray()` + `set()` (an object and a call per row), Pack through an expandDims and a Concat,
 * Unpack through one Slice per column that first copies the whole input out of the wasm heap.
 * These copy the same values with plain loops on views of the heap; anything else (strings,
 * contiguous slices, a single input) goes to the stock kernel.
 */

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
type Values = Float32Array | Int32Array | Uint8Array;
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Values;
}
interface KernelArgs {
  inputs: Record<string, TensorInfo> | TensorInfo[];
  backend: WasmBackend;
  attrs: Record<string, unknown>;
}
type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];
type FastKernel = (args: KernelArgs) => TensorInfo | TensorInfo[] | null;
interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  setupFunc?: unknown;
  disposeFunc?: unknown;
}
/** The parts of the tfjs namespace (as Human re-exports it) this file uses. */
export interface TfKernelRegistry {
  getKernel(kernelName: string, backendName: string): KernelConfig | undefined;
  unregisterKernel(kernelName: string, backendName: string): void;
  registerKernel(config: KernelConfig): void;
}

/** Below this many values per row a plain loop beats `subarray()` + `set()`. */
const LOOP_BELOW = 64;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function copyRow(from: Values, fromAt: number, to: Values, toAt: number, n: number): void {
  if (n >= LOOP_BELOW) {
    to.set(from.subarray(fromAt, fromAt + n), toAt);
    return;
  }
  for (let k = 0; k < n; k++) to[toAt + k] = from[fromAt + k];
}

/** Row r of input i goes to out[r * sum(inner) + offset_i]: Concat and Pack are both this. */
function interleave(backend: WasmBackend, parts: TensorInfo[], rows: number, inner: number[], out: TensorInfo): TensorInfo {
  // Views taken after makeOutput: an allocation may grow the heap and detach older views.
  const outVals = backend.typedArrayFromHeap(out);
  const rowOut = inner.reduce((a, b) => a + b, 0);
  let offset = 0;
  for (const [i, t] of parts.entries()) {
    const vals = backend.typedArrayFromHeap(t);
    const n = inner[i];
    for (let r = 0; r < rows; r++) copyRow(vals, r * n, outVals, r * rowOut + offset, n);
    offset += n;
  }
  return out;
}

const normalAxis = (axis: unknown, rank: number) => {
  const a = Number(Array.isArray(axis) ? (axis as number[])[0] : (axis ?? 0));
  return a < 0 ? a + rank : a;
};

/** Concat of numeric tensors on any axis; null when the stock kernel should do it. */
export function concatKernel(args: KernelArgs): TensorInfo | null {
  const inputs = args.inputs as TensorInfo[];
  const first = inputs[0];
  const rank = first.shape.length;
  if (first.dtype === 'string' || rank === 0) return null;
  const axis = normalAxis(args.attrs.axis, rank);
  const parts = inputs.filter((t) => sizeOf(t.shape) > 0);
  if (parts.length < 2) return null;
  for (const t of parts) {
    if (t.shape.length !== rank || t.dtype !== first.dtype) return null;
    for (let d = 0; d < rank; d++) if (d !== axis && t.shape[d] !== first.shape[d]) return null;
  }
  const outShape = [...first.shape];
  outShape[axis] = parts.reduce((sum, t) => sum + t.shape[axis], 0);
  const out = args.backend.makeOutput(outShape, first.dtype);
  return interleave(args.backend, parts, sizeOf(first.shape.slice(0, axis)), parts.map((t) => sizeOf(t.shape.slice(axis))), out);
}

/** Pack (stack) of equally shaped numeric tensors; null when the stock kernel should do it. */
export function packKernel(args: KernelArgs): TensorInfo | null {
  const inputs = args.inputs as TensorInfo[];
  const first = inputs[0];
  if (inputs.length < 2 || first.dtype === 'string') return null;
  const rank = first.shape.length;
  if (inputs.some((t) => t.dtype !== first.dtype || t.shape.length !== rank || t.shape.some((d, i) => d !== first.shape[i]))) return null;
  const axis = normalAxis(args.attrs.axis, rank + 1);
  const outShape = [...first.shape.slice(0, axis), inputs.length, ...first.shape.slice(axis)];
  const out = args.backend.makeOutput(outShape, first.dtype);
  if (sizeOf(outShape) === 0) return out;
  const inner = sizeOf(first.shape.slice(axis));
  return interleave(args.backend, inputs, sizeOf(first.shape.slice(0, axis)), inputs.map(() => inner), out);
}

/** Unpack (unstack) of a numeric tensor along an axis; null when the stock kernel should do it. */
export function unpackKernel(args: KernelArgs): TensorInfo[] | null {
  const x = (args.inputs as Record<string, TensorInfo>).value;
  const rank = x.shape.length;
  if (x.dtype === 'string' || rank < 2 || sizeOf(x.shape) === 0) return null;
  const axis = normalAxis(args.attrs.axis, rank);
  const count = x.shape[axis];
  const outShape = x.shape.filter((_, d) => d !== axis);
  const outs = Array.from({ length: count }, () => args.backend.makeOutput(outShape, x.dtype));
  const xVals = args.backend.typedArrayFromHeap(x);
  const rows = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  for (const [i, out] of outs.entries()) {
    const vals = args.backend.typedArrayFromHeap(out);
    for (let r = 0; r < rows; r++) copyRow(xVals, (r * count + i) * inner, vals, r * inner, inner);
  }
  return outs;
}

/** A non-contiguous Slice of a numeric tensor of rank 2–4; null when the stock kernel should do it. */
export function sliceKernel(args: KernelArgs): TensorInfo | null {
  const x = (args.inputs as Record<string, TensorInfo>).x;
  const rank = x.shape.length;
  if (x.dtype === 'string' || rank < 2 || rank > 4) return null;
  const beginAttr = args.attrs.begin as number | number[];
  const sizeAttr = args.attrs.size as number | number[] | undefined;
  const begin = Array.isArray(beginAttr) ? [...beginAttr] : [beginAttr, ...Array<number>(rank - 1).fill(0)];
  while (begin.length < rank) begin.push(0);
  const sizeIn = sizeAttr === undefined ? [] : Array.isArray(sizeAttr) ? sizeAttr : [sizeAttr];
  const size = x.shape.map((dim, d) => (sizeIn[d] === undefined || sizeIn[d] === -1 ? dim - begin[d] : sizeIn[d]));
  if (size.some((s, d) => s < 0 || begin[d] < 0 || begin[d] + s > x.shape[d])) return null;
  // Contiguous (one block): the stock kernel's single copy is already right.
  let d = rank - 1;
  while (d > 0 && size[d] === x.shape[d]) d--;
  if (size.slice(0, d).every((s) => s === 1)) return null;
  const out = args.backend.makeOutput(size, x.dtype);
  const outVals = args.backend.typedArrayFromHeap(out);
  const xVals = args.backend.typedArrayFromHeap(x);
  // As rank 4 (leading dims of 1), row by row of the last axis.
  const shape4 = [...Array<number>(4 - rank).fill(1), ...x.shape];
  const begin4 = [...Array<number>(4 - rank).fill(0), ...begin];
  const size4 = [...Array<number>(4 - rank).fill(1), ...size];
  const s2 = shape4[3];
  const s1 = shape4[2] * s2;
  const s0 = shape4[1] * s1;
  const n = size4[3];
  let at = 0;
  for (let i = begin4[0]; i < begin4[0] + size4[0]; i++) {
    for (let j = begin4[1]; j < begin4[1] + size4[1]; j++) {
      for (let k = begin4[2]; k < begin4[2] + size4[2]; k++) {
        copyRow(xVals, i * s0 + j * s1 + k * s2 + begin4[3], outVals, at, n);
        at += n;
      }
    }
  }
  return out;
}

const KERNELS: [string, FastKernel][] = [
  ['Concat', concatKernel],
  ['Pack', packKernel],
  ['Unpack', unpackKernel],
  ['Slice', sliceKernel],
];

/** Replaces the wasm backend's Concat, Pack, Unpack and Slice with the kernels above (stock kernel as fallback). Idempotent. */
export function registerWasmKernels(tf: TfKernelRegistry): void {
  for (const [name, fast] of KERNELS) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock || (stock.kernelFunc as { fast?: boolean }).fast) continue;
    const kernelFunc: KernelFunc = (args) => fast(args) ?? stock.kernelFunc(args);
    (kernelFunc as { fast?: boolean }).fast = true;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc });
  }
}
