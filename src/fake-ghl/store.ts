import type { FakeContact, FakeOpportunity, FakePipeline } from './types.js';

export type SortField = 'dateAdded' | 'dateUpdated' | 'firstNameLowerCase' | 'lastNameLowerCase' | 'email';

/**
 * The fake location's data. Sorted views are cached per sort key and rebuilt only after a change,
 * so paging through 100,000 contacts costs a binary search and a slice per request.
 */
export class FakeStore {
  private readonly contacts = new Map<string, FakeContact>();
  /** When each contact was last written, on the store's clock (drives the search index lag). */
  private readonly writtenAt = new Map<string, number>();
  private views = new Map<string, FakeContact[]>();
  private version = 0;
  pipelines: FakePipeline[] = [];
  opportunities: FakeOpportunity[] = [];

  constructor(
    contacts: readonly FakeContact[] = [],
    public now: () => number = Date.now,
  ) {
    for (const c of contacts) {
      this.contacts.set(c.id, c);
      this.writtenAt.set(c.id, 0);
    }
  }

  get size(): number {
    return this.contacts.size;
  }

  get changeVersion(): number {
    return this.version;
  }

  get(id: string): FakeContact | undefined {
    return this.contacts.get(id);
  }

  all(): FakeContact[] {
    return [...this.contacts.values()];
  }

  lastWrite(id: string): number {
    return this.writtenAt.get(id) ?? 0;
  }

  addContact(c: FakeContact): FakeContact {
    const t = this.now();
    const stored = { ...c, dateAdded: c.dateAdded ?? t, dateUpdated: t };
    this.contacts.set(c.id, stored);
    this.touch(c.id);
    return stored;
  }

  /** Changes fields and bumps dateUpdated to the store's clock, as GHL does. */
  updateContact(id: string, patch: Partial<FakeContact>): FakeContact {
    const before = this.contacts.get(id);
    if (!before) throw new Error(`no contact ${id}`);
    const after = { ...before, ...patch, id, dateUpdated: patch.dateUpdated ?? this.now() };
    this.contacts.set(id, after);
    this.touch(id);
    return after;
  }

  deleteContact(id: string): boolean {
    const had = this.contacts.delete(id);
    this.writtenAt.delete(id);
    if (had) this.invalidate();
    return had;
  }

  /** Contacts sorted by `field` then id, ascending (callers reverse for descending). */
  sorted(field: SortField): FakeContact[] {
    let view = this.views.get(field);
    if (!view) {
      const key = sortKey(field);
      view = [...this.contacts.values()].sort((a, b) => compare(key(a), key(b)) || compare(a.id, b.id));
      this.views.set(field, view);
    }
    return view;
  }

  private touch(id: string): void {
    this.writtenAt.set(id, this.now());
    this.invalidate();
  }

  private invalidate(): void {
    this.version += 1;
    this.views = new Map();
  }
}

export function sortKey(field: SortField): (c: FakeContact) => string | number {
  switch (field) {
    case 'dateAdded':
      return (c) => c.dateAdded;
    case 'dateUpdated':
      return (c) => c.dateUpdated;
    case 'firstNameLowerCase':
      return (c) => (c.firstName ?? '').toLowerCase();
    case 'lastNameLowerCase':
      return (c) => (c.lastName ?? '').toLowerCase();
    case 'email':
      return (c) => (c.email ?? '').toLowerCase();
  }
}

export function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
