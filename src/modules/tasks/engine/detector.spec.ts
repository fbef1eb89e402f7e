import { parseEngineFailure } from './anonymisation-job';
import { existsSync } from 'node:fs';
import { defaultDetectorPaths, Detector, FACE_TUNING, headOf, lowerPart } from './detector';

describe('Detector', () => {
  it('finds its models inside the installed npm packages', () => {
    const paths = defaultDetectorPaths();
    expect(paths.humanDir).toMatch(/@vladmandic[/\\]human$/);
    expect(paths.plateModel).toMatch(/ch_PP-OCRv4_det_infer\.onnx$/);
  });

  it('finds the vendored FaceBoxes model, its weights and its licence', () => {
    const { faceModel } = defaultDetectorPaths();
    expect(faceModel).toMatch(/models[/\\]faceboxes[/\\]faceboxes\.json$/);
    for (const file of ['faceboxes.json', 'faceboxes.bin', 'LICENSE']) expect(existsSync(faceModel.replace('faceboxes.json', file))).toBe(true);
  });

  it('refuses to load when the face model is missing', async () => {
    const paths = { ...defaultDetectorPaths(), faceModel: '/nonexistent/faceboxes.json' };
    const error = await new Detector(paths).load().catch((e: Error) => e);
    expect(parseEngineFailure(error)?.reason).toContain('/nonexistent/faceboxes.json is missing');
  });
});

describe('the head rule', () => {
  const standing = { x: 100, y: 50, width: 80, height: 200 };

  it('takes the top 30 %, middle 80 % of a standing person', () => {
    expect(headOf(standing, 0.5)).toEqual({ x: 108, y: 50, width: 64, height: 60 });
  });

  it('ignores persons below the score and boxes not 1.6× taller than wide (a seated person, legs out)', () => {
    expect(headOf(standing, FACE_TUNING.headMinScore - 0.01)).toBeNull();
    expect(headOf({ x: 0, y: 0, width: 100, height: 150 }, 0.9)).toBeNull();
    expect(headOf({ x: 0, y: 0, width: 100, height: 160 }, 0.9)).not.toBeNull();
  });
});

describe('strict plates', () => {
  it('hide the lower half of the vehicle', () => {
    expect(lowerPart({ x: 10, y: 100, width: 300, height: 200 })).toEqual({ x: 10, y: 200, width: 300, height: 100 });
  });

  it('refuses to load (ENGINE_UNAVAILABLE) when a model is missing, instead of detecting nothing', async () => {
    const paths = { ...defaultDetectorPaths(), plateModel: '/nonexistent/plates.onnx' };
    const error = await new Detector(paths).load().catch((e: Error) => e);
    expect(parseEngineFailure(error)).toEqual({ kind: 'ENGINE_UNAVAILABLE', reason: expect.stringContaining('/nonexistent/plates.onnx is missing') });
  });
});
