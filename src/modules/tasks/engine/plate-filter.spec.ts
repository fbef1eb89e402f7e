import { isPlateLike, PLATE_MIN_WIDTH_SHARE, textBoxesFromProbabilityMap } from './plate-filter';

const car = { x: 100, y: 100, width: 400, height: 300 };

describe('isPlateLike', () => {
  it('keeps a plate-shaped text line low on the vehicle', () => {
    expect(isPlateLike({ x: 250, y: 330, width: 110, height: 28 }, car)).toBe(true); // EU plate, ~4:1
    expect(isPlateLike({ x: 260, y: 320, width: 60, height: 32 }, car)).toBe(true); // US plate, ~2:1
  });

  it.each([
    ['too tall for a plate (aspect < 1.5)', { x: 250, y: 300, width: 40, height: 40 }],
    ['a long slogan line (aspect > 7)', { x: 150, y: 330, width: 300, height: 30 }],
    ['tiny relative to the vehicle (< 8 %)', { x: 250, y: 330, width: 20, height: 8 }],
    ['wider than 60 % of the vehicle', { x: 120, y: 330, width: 260, height: 40 }],
    ['in the top 30 % (a roof sign, a window sticker)', { x: 250, y: 110, width: 100, height: 25 }],
  ])('drops text that is %s', (_, text) => {
    expect(isPlateLike(text, car)).toBe(false);
  });
});

describe('per vehicle class', () => {
  it('accepts a plate 4 % as wide as a bus, and not as wide as a car', () => {
    const bus = { x: 0, y: 0, width: 700, height: 300 };
    const plate = { x: 330, y: 250, width: 28, height: 9 };
    expect(isPlateLike(plate, bus, PLATE_MIN_WIDTH_SHARE.bus)).toBe(true);
    expect(isPlateLike(plate, bus, PLATE_MIN_WIDTH_SHARE.car)).toBe(false);
  });
});

describe('textBoxesFromProbabilityMap', () => {
  it('finds each blob above the threshold and grows it like DB unclip', () => {
    const width = 40;
    const height = 20;
    const map = new Float32Array(width * height);
    for (let y = 5; y < 9; y++) for (let x = 5; x < 25; x++) map[y * width + x] = 0.9; // 20×4 text kernel
    map[15 * width + 35] = 0.9; // a single noisy pixel: dropped
    const boxes = textBoxesFromProbabilityMap(map, width, height);
    expect(boxes).toHaveLength(1);
    const offset = (20 * 4 * 1.5) / (2 * 24);
    expect(boxes[0]).toEqual({ x: 5 - offset, y: 5 - offset, width: 20 + 2 * offset, height: 4 + 2 * offset });
  });

  it('keeps two separate lines apart', () => {
    const width = 30;
    const map = new Float32Array(width * 30);
    for (const top of [2, 20]) for (let y = top; y < top + 3; y++) for (let x = 2; x < 20; x++) map[y * width + x] = 0.8;
    expect(textBoxesFromProbabilityMap(map, width, 30)).toHaveLength(2);
  });
});
