import type { FakeContact, FakeOpportunity, FakePipeline } from './types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A v2 contact as `POST /contacts/search` lists it (no lastActivity there). */
export function v2SearchContact(c: FakeContact, sortValue: number | string): Record<string, unknown> {
  return {
    id: c.id, locationId: c.locationId, firstName: c.firstName, lastName: c.lastName,
    firstNameLowerCase: c.firstName?.toLowerCase() ?? null, lastNameLowerCase: c.lastName?.toLowerCase() ?? null,
    email: c.email, phone: c.phone, companyName: c.companyName, type: c.type, source: c.source, dnd: c.dnd, tags: c.tags,
    assignedTo: null, dateAdded: iso(c.dateAdded), dateUpdated: iso(c.dateUpdated), address: c.address1, city: c.city,
    state: c.state, postalCode: c.postalCode, country: c.country, website: c.website, customFields: c.customFields,
    additionalEmails: [], additionalPhones: [], followers: [], businessId: null, validEmail: c.email ? true : null,
    searchAfter: [sortValue, c.id],
  };
}

/** A v2 contact as `GET /contacts/:id` returns it (with lastActivity as an ISO string). */
export function v2Contact(c: FakeContact): Record<string, unknown> {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ') || null;
  const { searchAfter: _s, address: _a, ...rest } = v2SearchContact(c, c.dateAdded);
  return { ...rest, name, address1: c.address1, fullNameLowerCase: name?.toLowerCase() ?? null, lastActivity: iso(c.lastActivity), timezone: null };
}

/** A v1 contact: nulls present, `contactName`, `customField`, epoch-ms lastActivity only when known. */
export function v1Contact(c: FakeContact): Record<string, unknown> {
  const contactName = [c.firstName, c.lastName].filter(Boolean).join(' ').toLowerCase() || c.email;
  return {
    id: c.id, locationId: c.locationId, contactName, firstName: c.firstName?.toLowerCase() ?? null, lastName: c.lastName?.toLowerCase() ?? null,
    companyName: c.companyName, email: c.email, phone: c.phone, dnd: c.dnd, type: c.type, source: c.source, assignedTo: null,
    city: c.city, state: c.state, postalCode: c.postalCode, address1: c.address1, dateAdded: iso(c.dateAdded),
    dateUpdated: iso(c.dateUpdated), dateOfBirth: null, tags: c.tags, country: c.country, website: c.website, timezone: null,
    ...(c.lastActivity !== null ? { lastActivity: c.lastActivity } : {}),
    customField: c.customFields,
  };
}

export function pipelineJson(p: FakePipeline, v1: boolean, locationId: string): Record<string, unknown> {
  return v1
    ? { id: p.id, name: p.name, stages: p.stages.map((s) => ({ id: s.id, name: s.name })), locationId }
    : { id: p.id, name: p.name, originId: p.id, dateAdded: iso(p.dateAdded), dateUpdated: iso(p.dateAdded), stages: p.stages.map((s) => ({ ...s, originId: s.id, showInFunnel: true, showInPieChart: true })) };
}

export function opportunityJson(o: FakeOpportunity, contact: FakeContact | undefined, locationId: string): Record<string, unknown> {
  const name = contact ? [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email : null;
  return {
    id: o.id, name: o.name, monetaryValue: o.monetaryValue, pipelineId: o.pipelineId, pipelineStageId: o.pipelineStageId,
    pipelineStageUId: o.pipelineStageId, assignedTo: null, status: o.status, source: o.source,
    lastStatusChangeAt: iso(o.lastStatusChangeAt), lastStageChangeAt: iso(o.lastStageChangeAt), createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt), indexVersion: 1, contactId: o.contactId, locationId, customFields: [], lostReasonId: null, followers: [],
    contact: contact ? { id: contact.id, name, companyName: contact.companyName, email: contact.email, phone: contact.phone, tags: contact.tags, score: [] } : null,
    sort: [o.createdAt, o.id],
  };
}
