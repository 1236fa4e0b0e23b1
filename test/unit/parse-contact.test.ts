import { describe, expect, it } from 'vitest';
import { parseContact, parseContacts, VOLATILE_KEYS } from '../../src/ghl/parse-contact.js';
import { mayHoldUnstorableText } from '../../src/ghl/storable-text.js';
import { parseSearchPage } from '../../src/ghl/v2.js';

describe('parseContact', () => {
  it('reads a v1 contact: customField, epoch-ms lastActivity, nulls', () => {
    const p = parseContact({
      id: 'aB3dE5fG7hJ9kL1mN3pQ', locationId: 'LOC', contactName: 'ada lovelace', firstName: 'ada', lastName: 'lovelace',
      companyName: null, email: 'ada@example.com', phone: '+15555550101', type: 'lead', tags: ['application'],
      dateAdded: '2025-07-01T11:34:21.668Z', dateUpdated: '2025-07-01T11:36:59.827Z', lastActivity: 1751475015874,
      customField: [{ id: 'cf1', value: 'Under $150k' }, { id: 'cf2', value: ['A'] }],
    });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.contact).toMatchObject({
      id: 'aB3dE5fG7hJ9kL1mN3pQ', firstName: 'ada', contactName: 'ada lovelace', companyName: null, type: 'lead', tags: ['application'],
      lastActivity: new Date(1751475015874).toISOString(),
    });
    expect(p.warnings).toEqual([]);
    // Custom fields stay in the stored record, as GHL sent them.
    expect(p.contact.raw.customField).toEqual([{ id: 'cf1', value: 'Under $150k' }, { id: 'cf2', value: ['A'] }]);
  });

  it('gives every time in one form, whatever form GHL sent it in', () => {
    const times = ['2025-07-01T11:34:21.668Z', '2024-02-29T23:59:59.999Z', '2024-02-30T00:00:00.000Z', '2025-07-01T11:34:21Z', '2025-07-01T13:34:21.668+02:00', '1751475015874', 1751475015874, '2025-12-31T24:00:00.000Z'];
    const read = times.map((t) => {
      const p = parseContact({ id: 'x1', dateAdded: t });
      return p.ok ? p.contact.dateAdded : null;
    });
    expect(read).toEqual([
      '2025-07-01T11:34:21.668Z',
      '2024-02-29T23:59:59.999Z',
      // JavaScript dates roll an impossible day or hour over; the stored form says so.
      '2024-03-01T00:00:00.000Z',
      '2025-07-01T11:34:21.000Z',
      '2025-07-01T11:34:21.668Z',
      '2025-07-02T16:50:15.874Z',
      '2025-07-02T16:50:15.874Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    for (const t of times) expect(read[times.indexOf(t)]).toBe(new Date(typeof t === 'string' && !/^\d+$/.test(t) ? t : Number(t)).toISOString());
  });

  it('drops a time outside years 1900–9999 with a warning, keeping the contact', () => {
    // A microsecond epoch, the largest Date, a six-digit ISO year, a negative epoch, a zero-date placeholder.
    for (const v of [1777629600000000, 8.64e15, '+275760-09-13T00:00:00.000Z', -1e14, '0001-01-01T00:00:00.000Z', '1899-12-31T23:59:59.999Z']) {
      const p = parseContact({ id: 'x1', firstName: 'Kept', lastActivity: v });
      expect(p.ok && { lastActivity: p.contact.lastActivity, firstName: p.contact.firstName }, String(v)).toEqual({ lastActivity: null, firstName: 'Kept' });
      expect(p.ok && p.warnings, String(v)).toEqual([expect.stringMatching(/^contact x1: ignored lastActivity \(not a date: year -?\d+, expected 1900–9999\)$/)]);
    }
    const edges = parseContact({ id: 'x1', dateAdded: '1900-01-01T00:00:00.000Z', lastActivity: '9999-12-31T23:59:59.999Z' });
    expect(edges.ok && [edges.contact.dateAdded, edges.contact.lastActivity, edges.warnings]).toEqual(['1900-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', []]);
  });

  it('reads a time without a zone as UTC, and an epoch too small for milliseconds as seconds', () => {
    const read = (v: unknown) => {
      const p = parseContact({ id: 'x1', dateAdded: v });
      return p.ok ? { value: p.contact.dateAdded, warnings: p.warnings } : null;
    };
    // Compared with Date.UTC, so the answer is the same whatever the server's zone.
    const at = new Date(Date.UTC(2026, 4, 1, 10, 0, 0)).toISOString();
    for (const v of ['2026-05-01T10:00:00', '2026-05-01 10:00:00', '2026-05-01T10:00', ' 2026-05-01T10:00:00.000 ', 1777629600, '1777629600', 1777629600000, '1777629600000']) {
      expect(read(v), String(v)).toEqual({ value: at, warnings: [] });
    }
    expect(read('2026-05-01T10:00:00.250')?.value).toBe(new Date(Date.UTC(2026, 4, 1, 10, 0, 0, 250)).toISOString());
    // A zone given is kept; a date alone was already UTC.
    expect(read('2026-05-01T12:00:00+02:00')?.value).toBe(at);
    expect(read('2026-05-01')?.value).toBe(new Date(Date.UTC(2026, 4, 1)).toISOString());
  });

  it('drops volatile keys from the stored record', () => {
    const p = parseContact({ id: 'x1', searchAfter: [1, 'x1'], traceId: 't', firstName: 'A' });
    expect(p.ok && Object.keys(p.contact.raw)).toEqual(['id', 'firstName']);
    // Every key of the list, whatever else the record holds.
    const all = parseContact({ id: 'x3', ...Object.fromEntries(VOLATILE_KEYS.map((k) => [k, 1])), lastName: 'B' });
    expect(all.ok && Object.keys(all.contact.raw)).toEqual(['id', 'lastName']);
    // A key named __proto__ stays a key of the stored record.
    const q = parseContact(JSON.parse('{"id":"x2","__proto__":{"firstName":"Injected"},"searchAfter":[1,"x2"]}'));
    expect(q.ok && Object.keys(q.contact.raw)).toEqual(['id', '__proto__']);
    expect(q.ok && Object.getPrototypeOf(q.contact.raw)).toBe(Object.prototype);
    expect(q.ok && q.contact.firstName).toBeNull();
  });

  it('keeps a contact with a bad field and reports it; rejects one without an id', () => {
    const page = parseContacts([{ id: 'ok1', email: 12345, tags: 'vip', dateAdded: 'yesterday' }, { email: 'no-id@example.com' }, null, { id: '' }, { id: '..' }]);
    expect(page.contacts.map((c) => c.id)).toEqual(['ok1']);
    expect(page.contacts[0]).toMatchObject({ email: null, tags: [], dateAdded: null });
    expect(page.problems).toEqual([
      'contact ok1: ignored tags (not a list)',
      'contact ok1: ignored email (number, expected text)',
      'contact ok1: ignored dateAdded (not a date)',
      'skipped a contact without a valid id (id: missing)',
      'skipped a contact without a valid id (id: missing)',
      'skipped a contact without a valid id (id: "")',
      // It would make GET /contacts/{id} another path, whose 404 "confirms" a deletion.
      'skipped a contact without a valid id (id: "..")',
    ]);
  });

  it('makes text the database cannot store storable, when asked, and says which contact', () => {
    const json = '{"id":"n1","companyName":"Fresh\\u0000 Headies","lastName":"Ba\\ud800ker","tags":["ok \\ud83d\\ude00"],"customFields":[{"id":"cf\\u0000","value":["x\\udc00"]}]}';
    expect(mayHoldUnstorableText(json)).toBe(true);
    expect(mayHoldUnstorableText('{"id":"n1","companyName":"Caf\\u00e9"}')).toBe(false);
    const p = parseContact(JSON.parse(json), { clean: true });
    expect(p.ok && p.contact).toMatchObject({ companyName: 'Fresh Headies', lastName: 'Ba\ufffdker', tags: ['ok 😀'] });
    expect(p.ok && p.contact.raw.customFields).toEqual([{ id: 'cf', value: ['x\ufffd'] }]);
    expect(p.ok && p.warnings).toEqual(['contact n1: removed characters the database cannot store (NUL, a broken surrogate)']);
    // The id is cleaned before it is checked.
    expect(parseContact(JSON.parse('{"id":"\\u0000"}'), { clean: true })).toMatchObject({ ok: false });
    expect(parseContact(JSON.parse('{"id":"a\\u0000b"}'), { clean: true })).toMatchObject({ ok: true, contact: { id: 'ab' } });
    // Not asked (the page's text held no such escape): read as it is.
    const plain = parseContact(JSON.parse(json));
    expect(plain.ok && plain.contact.companyName).toBe('Fresh\u0000 Headies');
  });

  it('reads a search page\'s count written as digits in a string, and treats any other count as none', () => {
    const page = (total: string) => parseSearchPage(`{"contacts":[{"id":"a"},{"id":"b"}],"total":${total}}`);
    expect(page('"1200"')).toMatchObject({ total: 1200, totalUnknown: false });
    expect(page('1200')).toMatchObject({ total: 1200, totalUnknown: false });
    for (const bad of ['"many"', 'null', '-5', '1']) expect(page(bad), bad).toMatchObject({ total: 2, totalUnknown: true });
  });
});
