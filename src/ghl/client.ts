import type { GhlConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createHttp, type GhlHttp, type HttpOptions } from './http.js';
import { type OpportunityRead, readAllOpportunities } from './opportunities.js';
import type { GhlContact } from './types.js';
import { createV1Contacts } from './v1.js';
import { createV2Contacts, V2_VERSION_HEADER } from './v2.js';

interface ClientBase {
  readonly locationId: string;
  readonly http: GhlHttp;
  getContact(id: string, signal?: AbortSignal): Promise<GhlContact | null>;
  /** A live contact search (GHL's own matching), for reads that bypass the brain. */
  searchLive(query: string | undefined, limit: number, signal?: AbortSignal): Promise<{ contacts: GhlContact[]; total: number; problems: string[] }>;
  /** Every pipeline and opportunity, all pages. */
  readOpportunities(signal?: AbortSignal): Promise<OpportunityRead>;
}

export interface GhlV2Client extends ClientBase, ReturnType<typeof createV2Contacts> {
  readonly version: 'v2';
}

export interface GhlV1Client extends ClientBase, ReturnType<typeof createV1Contacts> {
  readonly version: 'v1';
}

/** The GHL API as the sync and the live tools see it; `version` tells which paging it speaks. */
export type GhlClient = GhlV2Client | GhlV1Client;

export type GhlClientOptions = Pick<HttpOptions, 'timeoutMs' | 'retries' | 'backoffLimitMs' | 'pacer'>;

/** Null with a reason when the configuration cannot reach GHL (no key, no location). */
export function createGhlClient(config: GhlConfig, log: Logger, options: GhlClientOptions = {}): GhlClient | null {
  if (config.unavailableReason || !config.apiKey || !config.locationId) return null;
  const common = { baseUrl: config.baseUrl, token: config.apiKey, log, ...options };
  if (config.apiVersion === 'v1') {
    const http = createHttp({ ...common, versionHeader: null });
    const contacts = createV1Contacts(http);
    return {
      version: 'v1',
      locationId: config.locationId,
      http,
      ...contacts,
      // Most recently changed first, as v2 is asked (v1's default order is by date added).
      searchLive: (query, limit, signal) => contacts.listContacts({ limit, sortBy: 'date_updated', order: 'desc', ...(query ? { query } : {}) }, signal),
      readOpportunities: (signal) => readAllOpportunities(http, 'v1', config.locationId!, signal),
    };
  }
  const http = createHttp({ ...common, versionHeader: V2_VERSION_HEADER });
  const contacts = createV2Contacts(http, config.locationId);
  return {
    version: 'v2',
    locationId: config.locationId,
    http,
    ...contacts,
    searchLive: (query, limit, signal) =>
      contacts.searchContacts({ pageLimit: limit, page: 1, ...(query ? { query: query.slice(0, 75) } : {}), sort: [{ field: 'dateUpdated', direction: 'desc' }] }, signal),
    readOpportunities: (signal) => readAllOpportunities(http, 'v2', config.locationId!, signal),
  };
}
