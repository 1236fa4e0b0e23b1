import { compare, type FakeStore, type SortField, sortKey } from './store.js';
import type { FakeContact } from './types.js';

export interface Filter {
  field?: string;
  operator?: string;
  value?: unknown;
  group?: 'AND' | 'OR';
  filters?: Filter[];
}

export class QueryError extends Error {}

const DATE_FIELDS = new Set(['dateAdded', 'dateUpdated']);

function toMs(v: unknown): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? (/^\d+$/.test(v) ? Number(v) : Date.parse(v)) : NaN;
  if (!Number.isFinite(ms)) throw new QueryError(`Invalid date value ${JSON.stringify(v)}`);
  return ms;
}

function fieldValue(c: FakeContact, field: string): unknown {
  switch (field) {
    case 'dateAdded':
      return c.dateAdded;
    case 'dateUpdated':
      return c.dateUpdated;
    case 'firstNameLowerCase':
      return c.firstName?.toLowerCase() ?? null;
    case 'lastNameLowerCase':
      return c.lastName?.toLowerCase() ?? null;
    case 'contactName':
      return [c.firstName, c.lastName].filter(Boolean).join(' ').toLowerCase() || null;
    case 'tags':
      return c.tags;
    case 'id':
    case 'email':
    case 'phone':
    case 'companyName':
    case 'type':
    case 'source':
    case 'city':
    case 'state':
    case 'country':
      return c[field];
    case 'dnd':
      return c.dnd;
    default:
      throw new QueryError(`Invalid field - ${field}`);
  }
}

export function matches(c: FakeContact, f: Filter): boolean {
  if (f.group) {
    const subs = f.filters ?? [];
    return f.group === 'OR' ? subs.some((s) => matches(c, s)) : subs.every((s) => matches(c, s));
  }
  if (!f.field || !f.operator) throw new QueryError('Each filter needs field and operator');
  const v = fieldValue(c, f.field);
  const text = (x: unknown) => String(x ?? '').toLowerCase();
  const want = text(f.value);
  switch (f.operator) {
    case 'eq':
      return Array.isArray(v) ? v.some((t) => text(t) === want) : typeof v === 'boolean' ? v === f.value : text(v) === want && v !== null;
    case 'not_eq':
      return Array.isArray(v) ? !v.some((t) => text(t) === want) : text(v) !== want;
    case 'contains':
      return Array.isArray(v) ? v.some((t) => text(t).includes(want)) : text(v).includes(want);
    case 'not_contains':
      return Array.isArray(v) ? !v.some((t) => text(t).includes(want)) : !text(v).includes(want);
    case 'exists':
      return Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== '';
    case 'not_exists':
      return Array.isArray(v) ? v.length === 0 : v === null || v === undefined || v === '';
    case 'range': {
      if (!DATE_FIELDS.has(f.field)) throw new QueryError(`range is not supported on ${f.field}`);
      const r = (f.value ?? {}) as Record<string, unknown>;
      const n = v as number;
      return (r.gte === undefined || n >= toMs(r.gte)) && (r.gt === undefined || n > toMs(r.gt)) && (r.lte === undefined || n <= toMs(r.lte)) && (r.lt === undefined || n < toMs(r.lt));
    }
    default:
      throw new QueryError(`Invalid operator - ${f.operator}`);
  }
}

/** First index whose (key, id) is >= the given one, in an array sorted ascending by (key, id). */
export function lowerBound(view: readonly FakeContact[], key: (c: FakeContact) => string | number, value: string | number, id = ''): number {
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = view[mid]!;
    if ((compare(key(c), value) || compare(c.id, id)) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every contact matching the filters and free-text query, in the requested order. A range filter
 * on the sort field narrows the cached sorted view by binary search before anything is scanned.
 */
export function runQuery(store: FakeStore, o: { filters: Filter[]; sortField: SortField; direction: 'asc' | 'desc'; query?: string; hidden?: (c: FakeContact) => boolean }): FakeContact[] {
  const view = store.sorted(o.sortField);
  const key = sortKey(o.sortField);
  let lo = 0;
  let hi = view.length;
  const rest: Filter[] = [];
  for (const f of o.filters) {
    if (!f.group && f.operator === 'range' && f.field === o.sortField && DATE_FIELDS.has(o.sortField)) {
      const r = (f.value ?? {}) as Record<string, unknown>;
      if (r.gte !== undefined) lo = Math.max(lo, lowerBound(view, key, toMs(r.gte)));
      if (r.gt !== undefined) lo = Math.max(lo, lowerBound(view, key, toMs(r.gt) + 1));
      if (r.lte !== undefined) hi = Math.min(hi, lowerBound(view, key, toMs(r.lte) + 1));
      if (r.lt !== undefined) hi = Math.min(hi, lowerBound(view, key, toMs(r.lt)));
    } else rest.push(f);
  }
  const q = o.query?.trim().toLowerCase();
  const out: FakeContact[] = [];
  for (let i = lo; i < hi; i++) {
    const c = view[i]!;
    if (o.hidden?.(c)) continue;
    if (q && !freeText(c).includes(q)) continue;
    if (rest.length && !rest.every((f) => matches(c, f))) continue;
    out.push(c);
  }
  return o.direction === 'desc' ? out.reverse() : out;
}

function freeText(c: FakeContact): string {
  return [c.firstName, c.lastName, [c.firstName, c.lastName].filter(Boolean).join(' '), c.email, c.phone, c.phone?.replace(/\D/g, ''), c.companyName, ...c.tags]
    .filter(Boolean)
    .join(' | ')
    .toLowerCase();
}
