import { describe, expect, it } from 'vitest';
import { parseContact, parseContacts } from '../../src/ghl/parse-contact.js';

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
      lastActivity: new Date(1751475015874).toISOString(), customFields: [{ id: 'cf1', value: 'Under $150k' }, { id: 'cf2', value: ['A'] }],
    });
    expect(p.warnings).toEqual([]);
  });

  it('drops volatile keys from the stored record', () => {
    const p = parseContact({ id: 'x1', searchAfter: [1, 'x1'], traceId: 't', firstName: 'A' });
    expect(p.ok && Object.keys(p.contact.raw)).toEqual(['id', 'firstName']);
  });

  it('keeps a contact with a bad field and reports it; rejects one without an id', () => {
    const page = parseContacts([{ id: 'ok1', email: 12345, tags: 'vip', dateAdded: 'yesterday' }, { email: 'no-id@example.com' }, null, { id: '' }]);
    expect(page.contacts.map((c) => c.id)).toEqual(['ok1']);
    expect(page.contacts[0]).toMatchObject({ email: null, tags: [], dateAdded: null });
    expect(page.problems).toEqual([
      'contact ok1: ignored tags (not a list)',
      'contact ok1: ignored email (number, expected text)',
      'contact ok1: ignored dateAdded (not a date)',
      'skipped a contact without a valid id (id: missing)',
      'skipped a contact without a valid id (id: missing)',
      'skipped a contact without a valid id (id: "")',
    ]);
  });
});
