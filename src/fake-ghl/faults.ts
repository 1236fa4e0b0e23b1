export interface Fault {
  /** How many matching requests this fault applies to. */
  times: number;
  /** Let this many matching requests through untouched first (e.g. 1: the fault hits the second page). */
  skip?: number;
  /** Only requests whose path starts with this (e.g. "/contacts/search"). */
  pathPrefix?: string;
  method?: string;
  /** Answer with this status (429, 500, 502, 503…) instead of the real response. */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Hold the response this long before answering normally (or with `status`). */
  hangMs?: number;
  /** Send the headers and half the body, then stall (send nothing more) or reset the connection. */
  brokenBody?: 'stall' | 'reset';
  /** Answer 200 with a body that is not JSON. */
  nonJson?: boolean;
  /** Add malformed contacts to a listing (missing id, numeric email). */
  malformed?: boolean;
}

/** Faults queued by tests; each matching request consumes one use of the first fault that matches. */
export class FaultQueue {
  private faults: Fault[] = [];

  add(...faults: Fault[]): void {
    this.faults.push(...faults.map((f) => ({ ...f })));
  }

  clear(): void {
    this.faults = [];
  }

  take(method: string, path: string): Fault | null {
    for (const [i, fault] of this.faults.entries()) {
      if (fault.times <= 0 || (fault.method && fault.method !== method) || (fault.pathPrefix && !path.startsWith(fault.pathPrefix))) continue;
      // Still letting requests through: a later fault may take this one.
      if (fault.skip) {
        fault.skip -= 1;
        continue;
      }
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(i, 1);
      return fault;
    }
    return null;
  }
}
