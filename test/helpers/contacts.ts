import type { GhlContact } from '../../src/ghl/types.js';

let seq = 0;

/** A GHL contact with sensible defaults; pass only what the test cares about. */
export function ghlContact(over: Partial<GhlContact> = {}): GhlContact {
  seq += 1;
  const id = over.id ?? `c${String(seq).padStart(19, '0')}`;
  const base: GhlContact = {
    id,
    locationId: 'LOC1',
    firstName: 'Test',
    lastName: `Person${seq}`,
    contactName: null,
    companyName: null,
    email: `test${seq}@example.com`,
    phone: null,
    type: 'customer',
    source: null,
    assignedTo: null,
    tags: [],
    dateAdded: '2026-01-01T00:00:00.000Z',
    dateUpdated: '2026-01-01T00:00:00.000Z',
    lastActivity: null,
    raw: {},
  };
  const c = { ...base, ...over };
  c.raw = Object.keys(over.raw ?? {}).length ? over.raw! : rawOf(c);
  return c;
}

function rawOf(c: GhlContact): Record<string, unknown> {
  const { raw: _raw, ...rest } = c;
  return { ...rest };
}

/** Same contact, changed fields, later dateUpdated; raw is rebuilt from the fields. */
export function changed(c: GhlContact, over: Partial<GhlContact>): GhlContact {
  const next = { ...c, ...over, raw: {} };
  next.raw = rawOf(next);
  return next;
}
