import { parseEngineFailure } from './anonymisation-job';
import { defaultDetectorPaths, Detector } from './detector';

describe('Detector', () => {
  it('finds its models inside the installed npm packages', () => {
    const paths = defaultDetectorPaths();
    expect(paths.humanDir).toMatch(/@vladmandic[/\\]human$/);
    expect(paths.plateModel).toMatch(/ch_PP-OCRv4_det_infer\.onnx$/);
  });

  it('refuses to load (ENGINE_UNAVAILABLE) when a model is missing, instead of detecting nothing', async () => {
    const paths = { ...defaultDetectorPaths(), plateModel: '/nonexistent/plates.onnx' };
    const error = await new Detector(paths).load().catch((e: Error) => e);
    expect(parseEngineFailure(error)).toEqual({ kind: 'ENGINE_UNAVAILABLE', reason: expect.stringContaining('/nonexistent/plates.onnx is missing') });
  });
});
