/** A contact as both API generations describe it, reduced to one shape. `raw` is the record as received. */
export interface GhlContact {
  id: string;
  locationId: string | null;
  firstName: string | null;
  lastName: string | null;
  /** GHL's display name (v1 `contactName`, v2 `name`), or null. */
  contactName: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  type: string | null;
  source: string | null;
  assignedTo: string | null;
  tags: string[];
  dateAdded: string | null;
  dateUpdated: string | null;
  /** ISO time of the last activity when the API reports it (v1 lists, v2 single reads). */
  lastActivity: string | null;
  raw: Record<string, unknown>;
}

export interface GhlPipeline {
  id: string;
  name: string;
  stages: Array<{ id: string; name: string; position: number }>;
  raw: Record<string, unknown>;
}

export type OpportunityStatus = 'open' | 'won' | 'lost' | 'abandoned';

export interface GhlOpportunity {
  id: string;
  name: string | null;
  pipelineId: string;
  stageId: string | null;
  contactId: string | null;
  contactName: string | null;
  status: OpportunityStatus;
  monetaryValue: number;
  lastStatusChangeAt: string | null;
  lastStageChangeAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  raw: Record<string, unknown>;
}
