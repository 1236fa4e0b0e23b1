import { describe, expect, it } from 'vitest';
import { isStorableText } from '../../src/ghl/storable-text.js';

describe('isStorableText', () => {
  it('accepts any text PostgreSQL can hold, whole emoji included', () => {
    for (const text of ['plain', 'café ☕', 'great call 👍', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '']) expect(isStorableText(text), text).toBe(true);
  });
  it('refuses a NUL and either half of a surrogate pair on its own', () => {
    for (const text of ['call\u0000back', 'great call \ud83d', '\udc4d trailing half', 'x\ud83d\ud83d']) expect(isStorableText(text), JSON.stringify(text)).toBe(false);
  });
});
