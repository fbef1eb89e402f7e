import { jpegOptions, STREAMED_JPEG_ABOVE_PIXELS } from './anonymise.worker';

describe('jpegOptions', () => {
  it('keeps mozjpeg up to the threshold and streams a baseline JPEG above it', () => {
    expect(jpegOptions(1_000_000, 85)).toEqual({ quality: 85, mozjpeg: true });
    expect(jpegOptions(STREAMED_JPEG_ABOVE_PIXELS, 85)).toEqual({ quality: 85, mozjpeg: true });
    expect(jpegOptions(12_000_000, 80)).toEqual({ quality: 80, optimiseCoding: false });
  });
});
