import { PIECE_BYTES, parseUniformBody, UniformBodyReader } from './uniform-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseUniformBody', () => {
  it('reads the uniform form as JSON.parse does, with values as a Float64Array, however the pieces fall', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? -i / 7 : i % 3 === 1 ? i * 1e-300 : i));
    for (const text of [
      JSON.stringify({ name: 'Température ✓', unit: 'g', start: '2025-11-22T00:00:00Z', sampling_rate_hz: 1000, values }),
      ` {\n "values" : [ ${values.join(' ,\n ')} ] ,"start":"2025-11-22T00:00:00Z", "extra": {"a": ["]", "\\"}"]}, "sampling_rate_hz":1e3 } \n`,
    ]) {
      expect(text.length).toBeGreaterThan(2 * PIECE_BYTES);
      const body = parseUniformBody(bytes(text))!;
      const expected = JSON.parse(text) as Record<string, unknown>;
      expect(body.values).toBeInstanceOf(Float64Array);
      expect(Object.keys(body)).toEqual(Object.keys(expected));
      expect({ ...body, values: Array.from(body.values as Float64Array) }).toEqual(expected);
    }
    expect(Array.from(parseUniformBody(bytes('{"values":[ ],"start":1}'))!.values as Float64Array)).toEqual([]);
    expect(Array.from(parseUniformBody(bytes('{"values":[1e400,-0]}'))!.values as Float64Array)).toEqual([Infinity, -0]);
  });

  it.each([
    '',
    '[1,2]',
    '{}',
    '{"points":[{"timestamp":"x","value":1}]}',
    '{"values":[1,"2",3]}',
    '{"values":[1,null]}',
    '{"values":[[1],[2]]}',
    '{"values":[1,2,]}',
    '{"values":[1,,2]}',
    '{"values":[01]}',
    '{"values":[1],"values":[2]}',
    '{"val\\u0075es":[1]}',
    '{"values":[1]',
    '{"values":[1]} x',
    '{"values":[1],"start":}',
    '{"values":1}',
    '\ufeff{"values":[1]}',
  ])('hands %j back to the standard parser', (text) => {
    expect(parseUniformBody(bytes(text))).toBeUndefined();
  });

  it('does not lose an empty element or a trailing comma at a piece boundary', () => {
    const many = Array.from({ length: 30_000 }, () => '1.2345').join(',');
    expect(parseUniformBody(bytes(`{"values":[${many},]}`))).toBeUndefined();
    expect(parseUniformBody(bytes(`{"values":[${many}, ]}`))).toBeUndefined();
    expect(parseUniformBody(bytes(`{"values":[${many},,${many}]}`))).toBeUndefined();
    expect((parseUniformBody(bytes(`{"values":[${many},${many}]}`))!.values as Float64Array).length).toBe(60_000);
  });

  it('parses while the body arrives, in any chunking, to what parseUniformBody answers', () => {
    const values = Array.from({ length: 60_000 }, (_, i) => Math.sin(i) * 1e3);
    const cases = [
      JSON.stringify({ name: 'x', start: '2025-11-22T00:00:00Z', sampling_rate_hz: 10, values }),
      JSON.stringify({ name: '"values":[1,2]', values, start: 'x' }),
      JSON.stringify({ values: [...values.slice(0, 20_000), 'a', ...values.slice(20_000)] }),
      `{"values":[${values.join(',')},]}`,
      `{"values":[${values.join(',')}] , "values": [1]}`,
    ];
    for (const text of cases) {
      const body = bytes(text);
      const expected = parseUniformBody(body);
      for (const size of [1000, 65_536, 100_003, body.length]) {
        const reader = new UniformBodyReader(body.length, 10 * body.length);
        for (let i = 0; i < body.length; i += size) reader.push(body.subarray(i, i + size));
        const got = reader.parse(body) as Record<string, unknown> | undefined;
        expect(got === undefined ? undefined : { ...got, values: Array.from(got.values as Float64Array) }).toEqual(
          expected === undefined ? undefined : { ...expected, values: Array.from(expected.values as Float64Array) },
        );
      }
    }
    // A reader that saw other bytes (or none) still answers from the body it is given.
    const reader = new UniformBodyReader(10, 100);
    expect(reader.parse(bytes('{"values":[1]}'))).toEqual({ values: new Float64Array([1]) });
  });
});
