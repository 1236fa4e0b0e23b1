import { describe, expect, it } from 'vitest';
import { holdsInexactNumber } from '../../src/ghl/exact-numbers.js';

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
