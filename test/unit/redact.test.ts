import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { redact, redactValue } from '../../src/redact.js';

describe('redact', () => {
  it('removes configured secrets and known token shapes', () => {
    expect(redact('key=abcdef123456 end', ['abcdef123456'])).toBe('key=[redacted] end');
    expect(redact('Authorization: Bearer pit-9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b')).toBe('Authorization: Bearer [redacted]');
    expect(redact('Authorization: Bearer abc.def-ghi')).toBe('Authorization: [redacted]');
    expect(redact('token pit-9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b here')).toBe('token [redacted] here');
    expect(redact('jwt eyJhbGciOiJIUzI1NiJ9.eyJsb2NhdGlvbl9pZCI6IngifQ.c2lnbmF0dXJl x')).toBe('jwt [redacted] x');
    expect(redact('postgres://app:hunter2@db:5432/brain')).toBe('postgres://app:[redacted]@db:5432/brain');
  });

  it('redacts inside nested values', () => {
    expect(redactValue({ a: ['my-secret-value'], b: { c: 'x my-secret-value y' } }, ['my-secret-value'])).toEqual({
      a: ['[redacted]'],
      b: { c: 'x [redacted] y' },
    });
  });

  it('keeps secrets out of log lines and listeners', () => {
    const lines: string[] = [];
    const heard: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l), secrets: ['pit-abcdef-123456'] });
    log.addListener((_lvl, msg, fields) => heard.push(msg + JSON.stringify(fields)));
    log.warn('call failed with pit-abcdef-123456', { header: 'Bearer pit-abcdef-123456', error: new Error('boom pit-abcdef-123456') });
    log.debug('not shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN call failed with \[redacted\]/);
    expect(lines.join('') + heard.join('')).not.toContain('pit-abcdef-123456');
    expect(heard[0]).toContain('boom [redacted]');
  });

  it('removes a secret quoted only in part, from its first 12 characters on', () => {
    const token = 'ghlOAuthAccessToken0123456789abcdefghijklmnopqrstuvw';
    expect(redact(`not valid: ${token.slice(0, 34)}`, [token])).toBe('not valid: [redacted]');
    expect(redact(`"${token.slice(0, 20)}" then ${token} and ${token.slice(0, 12)}!`, [token])).toBe('"[redacted]" then [redacted] and [redacted]!');
    // Shorter than that, or only alike, it is no secret.
    expect(redact(`ghlOAuthAcc and ghlOAuthAccessTokenX`, [token])).toBe('ghlOAuthAcc and [redacted]X');
    expect(redact('ghlOAuth', [token])).toBe('ghlOAuth');
  });
});
