/** The fake's canonical records; `shapes.ts` turns them into v1 or v2 JSON. Times are epoch ms. */
export interface FakeContact {
  id: string;
  locationId: string;
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  type: 'lead' | 'customer';
  source: string | null;
  tags: string[];
  dateAdded: number;
  dateUpdated: number;
  lastActivity: number | null;
  /** A bigint is sent as the exact integer it is (see jsonText). */
  customFields: Array<{ id: string; value: string | string[] | number | bigint }>;
  address1: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string;
  website: string | null;
  dnd: boolean;
}

export interface FakePipeline {
  id: string;
  name: string;
  stages: Array<{ id: string; name: string; position: number }>;
  dateAdded: number;
}

export type FakeOpportunityStatus = 'open' | 'won' | 'lost' | 'abandoned';

export interface FakeOpportunity {
  id: string;
  name: string;
  monetaryValue: number;
  pipelineId: string;
  pipelineStageId: string;
  status: FakeOpportunityStatus;
  contactId: string;
  createdAt: number;
  updatedAt: number;
  lastStatusChangeAt: number;
  lastStageChangeAt: number;
  source: string | null;
}
