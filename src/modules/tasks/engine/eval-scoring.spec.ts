import { coveredShare, falsePositives, isHidden, sizeClass } from './eval-scoring';

const face = { x: 100, y: 100, width: 40, height: 50 };

describe('evaluation scoring (npm run eval:anonymisation)', () => {
  it('measures the covered share exactly, overlapping boxes counted once', () => {
    expect(coveredShare(face, [])).toBe(0);
    expect(coveredShare(face, [{ x: 100, y: 100, width: 20, height: 50 }])).toBeCloseTo(0.5);
    expect(coveredShare(face, [{ x: 100, y: 100, width: 20, height: 50 }, { x: 110, y: 100, width: 20, height: 50 }])).toBeCloseTo(0.75);
    expect(coveredShare(face, [{ x: 0, y: 0, width: 1000, height: 1000 }])).toBe(1);
  });

  it('counts a face hidden at 70 % coverage, not at 69 %', () => {
    expect(isHidden(face, [{ x: 100, y: 100, width: 28, height: 50 }])).toBe(true); // 70 %
    expect(isHidden(face, [{ x: 100, y: 100, width: 27.6, height: 50 }])).toBe(false); // 69 %
    expect(isHidden(face, [{ x: 100, y: 100, width: 14, height: 50 }, { x: 114, y: 100, width: 14, height: 50 }])).toBe(true);
  });

  it('does not count a face hidden by a box over 16× its area (hiding half the picture is not finding a face)', () => {
    const area = face.width * face.height;
    expect(isHidden(face, [{ x: 0, y: 0, width: 160, height: area * 16 / 160 + 1 }])).toBe(false);
    expect(isHidden(face, [{ x: 90, y: 90, width: 160, height: (area * 16) / 160 }])).toBe(true);
  });

  it('lets a plate be hidden by a vehicle-sized box when asked (strict mode counts for plates)', () => {
    const plate = { x: 300, y: 400, width: 30, height: 10 };
    const lowerHalfOfBus = { x: 0, y: 250, width: 600, height: 250 };
    expect(isHidden(plate, [lowerHalfOfBus])).toBe(false);
    expect(isHidden(plate, [lowerHalfOfBus], Infinity)).toBe(true);
    expect(isHidden(plate, [{ x: 0, y: 0, width: 600, height: 250 }], Infinity)).toBe(false);
  });

  it('counts every redaction that hides no label as a false positive', () => {
    const onFace = { x: 95, y: 95, width: 50, height: 60 };
    const elsewhere = { x: 400, y: 400, width: 30, height: 30 };
    const huge = { x: 0, y: 0, width: 2000, height: 2000 };
    expect(falsePositives([onFace, elsewhere, huge], [face])).toEqual([elsewhere, huge]);
    expect(falsePositives([elsewhere], [])).toEqual([elsewhere]);
  });

  it('sorts faces into the issue’s size classes by their long side', () => {
    expect(sizeClass({ x: 0, y: 0, width: 30, height: 48 })).toBe('large');
    expect(sizeClass({ x: 0, y: 0, width: 47, height: 20 })).toBe('medium');
    expect(sizeClass({ x: 0, y: 0, width: 10, height: 12 })).toBe('small');
    expect(sizeClass({ x: 0, y: 0, width: 9, height: 11 })).toBe('tiny');
  });
});
