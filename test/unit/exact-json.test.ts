import { describe, expect, it } from 'vitest';
import { holdsInexactNumber, parseExactJson } from '../../src/exact-json.js';

describe('holdsInexactNumber', () => {
  it.each([
    ['{"v":12345678901234567890}', true],
    ['{"v":-9007199254740993}', true],
    ['{"v":9007199254740992}', true],
    ['{"c":[{"id":"a","value":[1,1234567.123456789]}]}', true],
    ['{"v":0.12345678901234567}', true],
    ['{"v":1e400}', true],
    ['{"v":9007199254740991,"w":-9007199254740991}', false],
    ['{"v":1710498600000,"t":"2024-03-15T10:30:00.000Z","p":"+15551234567"}', false],
    ['{"v":3.14159,"w":123456.789012345,"x":1.5e-300}', false],
    ['{"v":null,"w":[true,"12345678901234567890"]}', false],
  ])('%s → %s', (json, expected) => {
    expect(holdsInexactNumber(JSON.parse(json))).toBe(expected);
    // What the check guards against: a number a parsed copy writes back differently.
    if (!expected) expect(JSON.stringify(JSON.parse(json))).toBe(json);
  });
});

describe('parseExactJson', () => {
  it('gives numbers a JavaScript number cannot hold exactly as strings of their digits', () => {
    const tiny = `0.${'0'.repeat(399)}1`;
    const text = `{"a":12345678901234567890,"b":[9007199254740993,0.12345678901234567890123456789],"c":-9223372036854775809,"d":1e400,"e":1e-400,"f":${tiny}}`;
    expect(parseExactJson(text)).toEqual({ a: '12345678901234567890', b: ['9007199254740993', '0.12345678901234567890123456789'], c: '-9223372036854775809', d: '1e400', e: '1e-400', f: tiny });
  });

  it('leaves every other number a number, and strings alone', () => {
    const text = '{"a":42,"b":-1.5,"c":1.50,"d":1E5,"e":9007199254740991,"f":123456789012345678901234567890e-10,"s":"12345678901234567890 \\"99999999999999999999\\"","t":[true,null,0,-0]}';
    const parsed = parseExactJson(text) as Record<string, unknown>;
    expect(parsed).toEqual({ ...JSON.parse(text), f: '123456789012345678901234567890e-10' });
  });
});
