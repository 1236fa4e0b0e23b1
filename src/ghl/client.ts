import type { GhlConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createHttp, type GhlHttp, type HttpOptions } from './http.js';
import type { GhlContact } from './types.js';
import { createV1Contacts } from './v1.js';
import { createV2Contacts, V2_VERSION_HEADER } from './v2.js';

interface ClientBase {
  readonly locationId: string;
  readonly http: GhlHttp;
  getContact(id: string, signal?: AbortSignal): Promise<GhlContact | null>;
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
    return { version: 'v1', locationId: config.locationId, http, ...createV1Contacts(http) };
  }
  const http = createHttp({ ...common, versionHeader: V2_VERSION_HEADER });
  return { version: 'v2', locationId: config.locationId, http, ...createV2Contacts(http, config.locationId) };
}
