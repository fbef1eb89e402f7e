import { clampBox, coverBetween, intersectionOverUnion, mergeOverlapping, padBox, scaleBox, tileGrid, unionBox } from './boxes';

describe('boxes', () => {
  it('maps a box found on a half-size copy back to the original', () => {
    expect(scaleBox({ x: 10, y: 20, width: 30, height: 40 }, 0.5)).toEqual({ x: 20, y: 40, width: 60, height: 80 });
  });

  it('pads by a fraction of the size on every side', () => {
    expect(padBox({ x: 100, y: 100, width: 40, height: 20 }, 0.25)).toEqual({ x: 90, y: 95, width: 60, height: 30 });
  });

  it('clamps to the image, rounding outwards, and drops boxes outside it', () => {
    expect(clampBox({ x: -5.5, y: 10.2, width: 20, height: 10.1 }, 100, 100)).toEqual({ x: 0, y: 10, width: 15, height: 11 });
    expect(clampBox({ x: 90, y: 90, width: 30, height: 30 }, 100, 100)).toEqual({ x: 90, y: 90, width: 10, height: 10 });
    expect(clampBox({ x: 120, y: 0, width: 10, height: 10 }, 100, 100)).toBeNull();
  });

  it('unions and measures overlap', () => {
    expect(unionBox({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toEqual({ x: 0, y: 0, width: 15, height: 15 });
    expect(intersectionOverUnion({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
    expect(intersectionOverUnion({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
  });
});

describe('coverBetween: the frames between two detected ones', () => {
  it('covers the whole path of an object that moved, padded 25 %', () => {
    const before = [{ x: 0, y: 0, width: 40, height: 40 }];
    const after = [{ x: 20, y: 0, width: 40, height: 40 }];
    // Union x 0..60, y 0..40, then padded 25 % of 60×40 on each side.
    expect(coverBetween(before, after)).toEqual([{ x: -15, y: -10, width: 90, height: 60 }]);
  });

  it('keeps an object seen on one side only (it entered or left)', () => {
    const before = [{ x: 0, y: 0, width: 10, height: 10 }];
    const after = [{ x: 500, y: 500, width: 20, height: 20 }];
    const cover = coverBetween(before, after, 0);
    expect(cover).toEqual([before[0], after[0]]);
  });

  it('pairs each object with its own neighbour, not a far one', () => {
    const before = [{ x: 0, y: 0, width: 10, height: 10 }, { x: 100, y: 0, width: 10, height: 10 }];
    const after = [{ x: 102, y: 0, width: 10, height: 10 }, { x: 2, y: 0, width: 10, height: 10 }];
    expect(coverBetween(before, after, 0)).toEqual([
      { x: 0, y: 0, width: 12, height: 10 },
      { x: 100, y: 0, width: 12, height: 10 },
    ]);
  });

  it('covers nothing when nothing was seen', () => {
    expect(coverBetween([], [])).toEqual([]);
  });
});

describe('tileGrid', () => {
  it('answers the whole image when it fits one tile', () => {
    expect(tileGrid(800, 600, 1280, 192)).toEqual([{ x: 0, y: 0, width: 800, height: 600 }]);
  });

  it('covers the image with tiles no larger than the side, neighbours overlapping by at least the overlap', () => {
    const tiles = tileGrid(2560, 1920, 1280, 192);
    expect(tiles).toHaveLength(6);
    for (const t of tiles) {
      expect(t.width).toBeLessThanOrEqual(1280);
      expect(t.height).toBeLessThanOrEqual(1280);
      expect(t.x + t.width).toBeLessThanOrEqual(2560);
      expect(t.y + t.height).toBeLessThanOrEqual(1920);
    }
    const xs = [...new Set(tiles.map((t) => t.x))];
    expect(xs[0]).toBe(0);
    expect(Math.max(...tiles.map((t) => t.x + t.width))).toBe(2560);
    expect(Math.max(...tiles.map((t) => t.y + t.height))).toBe(1920);
    for (let i = 1; i < xs.length; i++) expect(xs[i - 1] + tiles[0].width - xs[i]).toBeGreaterThanOrEqual(192);
  });
});

describe('mergeOverlapping', () => {
  it('merges the same face found twice into the union of both, with the higher score', () => {
    const merged = mergeOverlapping([
      { x: 100, y: 100, width: 50, height: 50, score: 0.4 },
      { x: 110, y: 105, width: 50, height: 50, score: 0.9 },
      { x: 400, y: 100, width: 50, height: 50, score: 0.5 },
    ]);
    expect(merged).toEqual([
      { x: 100, y: 100, width: 60, height: 55, score: 0.9 },
      { x: 400, y: 100, width: 50, height: 50, score: 0.5 },
    ]);
  });

  it('merges half a face cut by a tile edge into the whole one', () => {
    expect(mergeOverlapping([{ x: 0, y: 0, width: 100, height: 100 }, { x: 50, y: 0, width: 50, height: 100 }])).toEqual([{ x: 0, y: 0, width: 100, height: 100 }]);
  });
});
