/**
 * `npm run eval:anonymisation`: runs the real anonymisation engine (no mocks) over the labelled
 * images and video of bench/eval/labels.json (files from installable Debian and npm packages,
 * see bench/eval/README.md) and prints recall per class, false positives and cost, ending with
 * `face recall R, plate recall P, false positives F per negative image, S s/MP`.
 *
 * EVAL_DRAW=dir writes every image with its labels (cyan) and redaction boxes (red) for review.
 * EVAL_UPSCALE, EVAL_MIN_SCORE, EVAL_PAD, EVAL_MAX_SIDE override the face tuning to explore it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { AppConfig } from '../../src/core/config/app-config';
import type { Box } from '../../src/modules/tasks/engine/boxes';
import { Detector, FACE_TUNING } from '../../src/modules/tasks/engine/detector';
import { falsePositives, isHidden, recall, sizeClass, type Tally } from '../../src/modules/tasks/engine/eval-scoring';
import anonymise, { DETECT_EVERY } from '../../src/modules/tasks/engine/anonymise.worker';

interface Face {
  box: Box;
  profile?: boolean;
}
interface Item {
  id: string;
  file: string;
  make?: { crop?: Box; scale?: number };
  faces?: Face[];
  plates?: { box: Box }[];
}
interface Labels {
  images: Item[];
  negatives: Item[];
  video: { file: string; frames: number; labels: { frame: number; faces: Face[] }[] };
}

const root = join(__dirname, '..', '..');
const labels = JSON.parse(readFileSync(join(__dirname, 'labels.json'), 'utf8')) as Labels;

function resolveFile(file: string): string {
  return file.startsWith('npm:') ? join(root, 'node_modules', file.slice(4)) : file;
}

async function load(item: Item): Promise<{ rgb: Buffer; width: number; height: number }> {
  let img = sharp(resolveFile(item.file)).removeAlpha().toColourspace('srgb');
  const crop = item.make?.crop;
  if (crop) img = sharp(await img.extract({ left: crop.x, top: crop.y, width: crop.width, height: crop.height }).png().toBuffer());
  if (item.make?.scale) {
    const meta = await img.metadata();
    const s = item.make.scale;
    img = sharp(await img.resize(Math.round(meta.width! * s), Math.round(meta.height! * s)).png().toBuffer());
  }
  const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

async function draw(dir: string, id: string, image: { rgb: Buffer; width: number; height: number }, wanted: Box[], found: Box[]): Promise<void> {
  const rect = (b: Box, colour: string) => `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="${colour}" stroke-width="1"/>`;
  const svg = `<svg width="${image.width}" height="${image.height}" xmlns="http://www.w3.org/2000/svg">${wanted.map((b) => rect(b, 'cyan')).join('')}${found.map((b) => rect(b, 'red')).join('')}</svg>`;
  await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toFile(join(dir, `${id}.png`));
}

/** CPU seconds of this process since `start`: on a shared machine wall time measures the neighbours too. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1e6;
}

/** CPU seconds of the finished child processes (ffmpeg), from /proc (Linux; 0 elsewhere). */
function childCpu(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

const pct = (t: Tally) => (t.total ? `${t.hidden}/${t.total} = ${recall(t).toFixed(2)}` : 'n/a');

async function main(): Promise<void> {
  const missing = [...labels.images, ...labels.negatives, labels.video].map((i) => resolveFile(i.file)).filter((f) => !existsSync(f));
  if (missing.length) {
    console.error(`missing evaluation files (install Debian opencv-doc python3-skimage darknet, and npm ci):\n  ${[...new Set(missing)].join('\n  ')}`);
    process.exit(1);
  }
  const env = process.env;
  if (env.EVAL_UPSCALE) FACE_TUNING.upscale = Number(env.EVAL_UPSCALE);
  if (env.EVAL_MIN_SCORE) FACE_TUNING.minScore = Number(env.EVAL_MIN_SCORE);
  if (env.EVAL_PAD) FACE_TUNING.pad = Number(env.EVAL_PAD);
  if (env.EVAL_MAX_SIDE) FACE_TUNING.maxSide = Number(env.EVAL_MAX_SIDE);
  const drawDir = env.EVAL_DRAW;
  const load0 = loadavg()[0];

  const detector = new Detector();
  detector.tuning = { ...FACE_TUNING };
  await detector.load();

  const faces: Record<string, Tally> = {};
  const tally = (k: string, hidden: boolean) => {
    faces[k] ??= { hidden: 0, total: 0 };
    faces[k].total++;
    if (hidden) faces[k].hidden++;
  };
  let faceBoxes = 0;
  let faceFalse = 0;
  let faceSeconds = 0;
  let faceCpu = 0;
  let megapixels = 0;
  const plates: Tally = { hidden: 0, total: 0 };
  const strictPlates: Tally = { hidden: 0, total: 0 };
  const misses: string[] = [];

  for (const item of labels.images) {
    const image = await load(item);
    const mp = (image.width * image.height) / 1e6;
    const wantedFaces = (item.faces ?? []).map((f) => f.box);
    const found: Box[] = [];
    if (wantedFaces.length) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const d = await detector.detect(image.rgb, image.width, image.height, ['face']);
      faceSeconds += (performance.now() - t0) / 1000;
      faceCpu += cpuSince(c0);
      megapixels += mp;
      found.push(...d.face);
      faceBoxes += d.face.length;
      faceFalse += falsePositives(d.face, wantedFaces).length;
      for (const [i, f] of (item.faces ?? []).entries()) {
        const hidden = isHidden(f.box, d.face);
        tally('all', hidden);
        tally(sizeClass(f.box), hidden);
        if (f.profile) tally('profile', hidden);
        if (!hidden) misses.push(`${item.id} face ${i} (${sizeClass(f.box)}${f.profile ? ', profile' : ''})`);
      }
    }
    const wantedPlates = (item.plates ?? []).map((p) => p.box);
    if (wantedPlates.length) {
      const normal = await detector.detect(image.rgb, image.width, image.height, ['license_plate']);
      const strict = await detector.detect(image.rgb, image.width, image.height, ['license_plate'], { strictPlates: true });
      found.push(...strict.license_plate);
      for (const [i, p] of wantedPlates.entries()) {
        plates.total++;
        strictPlates.total++;
        if (isHidden(p, normal.license_plate, Infinity)) plates.hidden++;
        if (isHidden(p, strict.license_plate, Infinity)) strictPlates.hidden++;
        else misses.push(`${item.id} plate ${i} (strict)`);
      }
    }
    if (drawDir) await draw(drawDir, item.id, image, [...wantedFaces, ...wantedPlates], found);
  }

  let negativeBoxes = 0;
  const negativeHits: string[] = [];
  for (const item of labels.negatives) {
    const image = await load(item);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const d = await detector.detect(image.rgb, image.width, image.height, ['face']);
    faceSeconds += (performance.now() - t0) / 1000;
    faceCpu += cpuSince(c0);
    megapixels += (image.width * image.height) / 1e6;
    negativeBoxes += d.face.length;
    if (d.face.length) negativeHits.push(`${item.id} (${d.face.length})`);
    if (drawDir && d.face.length) await draw(drawDir, item.id, image, [], d.face);
  }

  const video = await evaluateVideo();

  const fpPerNegative = negativeBoxes / labels.negatives.length;
  const sPerMp = faceCpu / megapixels;
  const row = (name: string, value: string, extra = '') => console.log(`| ${name.padEnd(34)} | ${value.padEnd(16)} | ${extra}`);
  console.log(`\nanonymisation evaluation: engine ${Detector.ENGINE}; face tuning ${JSON.stringify(detector.tuning)}`);
  console.log(`load average before the run: ${load0.toFixed(2)}; now ${loadavg()[0].toFixed(2)}\n`);
  console.log(`| ${'class'.padEnd(34)} | ${'hidden / labelled'.padEnd(16)} | notes`);
  console.log(`| ${'-'.repeat(34)} | ${'-'.repeat(16)} | -----`);
  row('faces, all (faces-only mode)', pct(faces.all), `precision ${((faceBoxes - faceFalse) / Math.max(1, faceBoxes)).toFixed(2)} (${faceFalse} of ${faceBoxes} boxes hide no labelled face: back-facing heads, unlabelled faces, errors)`);
  for (const k of ['large', 'medium', 'small', 'profile']) row(`faces, ${k}`, pct(faces[k] ?? { hidden: 0, total: 0 }), k === 'profile' ? 'profiles and strong three-quarter views' : '');
  row('plates (images: not strict)', pct(plates));
  row('plates (strict)', pct(strictPlates), 'the lower half of every vehicle is hidden too');
  row('persons, vehicles', 'not labelled', 'hidden whole as detected; not scored here');
  row('negative images', `${labels.negatives.length}`, `${negativeBoxes} face boxes: ${fpPerNegative.toFixed(2)} per image${negativeHits.length ? ` (${negativeHits.join(', ')})` : ''}`);
  row('cost, faces-only', `${sPerMp.toFixed(2)} s/MP`, `CPU seconds (one engine thread); ${megapixels.toFixed(2)} MP in ${faceCpu.toFixed(1)} CPU s, ${faceSeconds.toFixed(1)} s wall (${(faceSeconds / megapixels).toFixed(2)} s/MP wall)`);
  row(`video vtest.avi, ${video.frames} frames`, `${video.cpuFps.toFixed(2)} frames/s`, `per CPU second (engine thread, decoder and encoder); ${video.fps.toFixed(2)} frames/s wall; 768×576, faces-only, detection every ${DETECT_EVERY}th frame`);
  row('video: labelled faces hidden', pct(video.faces), video.exposed.length ? `exposed: ${video.exposed.join(', ')}` : 'none exposed');
  if (misses.length) console.log(`\nmissed: ${misses.join('; ')}`);
  console.log(`\nface recall ${recall(faces.all).toFixed(2)}, plate recall ${recall(strictPlates).toFixed(2)}, false positives ${fpPerNegative.toFixed(2)} per negative image, ${sPerMp.toFixed(2)} s/MP`);
}

/** Runs the engine's real video path (mask method) on the first frames of vtest.avi and reads the result back. */
async function evaluateVideo(): Promise<{ frames: number; fps: number; cpuFps: number; faces: Tally; exposed: string[] }> {
  const ffmpeg = AppConfig.fromEnvironment().ffmpegPath;
  if (!ffmpeg) throw new Error('ffmpeg is needed for the video part (FFMPEG_PATH or @ffmpeg-installer/ffmpeg)');
  const dir = mkdtempSync(join(tmpdir(), 'eval-anon-'));
  try {
    const clip = join(dir, 'clip.avi');
    const cut = spawnSync(ffmpeg, ['-v', 'error', '-i', labels.video.file, '-frames:v', String(labels.video.frames), '-c', 'copy', clip]);
    if (cut.status !== 0) throw new Error(`ffmpeg could not cut the clip: ${String(cut.stderr)}`);
    const out = join(dir, 'out.mp4');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const children0 = childCpu();
    const outcome = await anonymise({ kind: 'video', inputPath: clip, outputPath: out, objects: ['face'], method: 'mask', quality: 90, maxPixels: 50_000_000, platesHideVehicle: false, ffmpegPath: ffmpeg });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSince(c0) + childCpu() - children0;
    const faces: Tally = { hidden: 0, total: 0 };
    const exposed: string[] = [];
    const { width, height } = outcome;
    for (const l of labels.video.labels) {
      const grab = spawnSync(ffmpeg, ['-v', 'error', '-i', out, '-vf', `select=eq(n\\,${l.frame})`, '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 * 1024 * 1024 });
      const frame = grab.stdout;
      if (frame.length !== width * height * 3) throw new Error(`could not read frame ${l.frame} of the result`);
      for (const [i, f] of l.faces.entries()) {
        // Masked pixels are black; after H.264 a masked pixel stays very dark.
        let dark = 0;
        let n = 0;
        for (let y = Math.floor(f.box.y); y < Math.ceil(f.box.y + f.box.height); y++) {
          for (let x = Math.floor(f.box.x); x < Math.ceil(f.box.x + f.box.width); x++) {
            const p = (y * width + x) * 3;
            n++;
            if (Math.max(frame[p], frame[p + 1], frame[p + 2]) <= 40) dark++;
          }
        }
        faces.total++;
        if (dark / n >= 0.7) faces.hidden++;
        else exposed.push(`frame ${l.frame} face ${i}`);
      }
    }
    return { frames: outcome.frames ?? 0, fps: (outcome.frames ?? 0) / seconds, cpuFps: (outcome.frames ?? 0) / cpu, faces, exposed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
