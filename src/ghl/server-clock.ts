/**
 * GoHighLevel's clock, as the `Date` headers of its answers give it, against this machine's.
 * GHL stamps `dateUpdated` with its own clock, so "changed since" must be asked in its time: a
 * machine clock running ahead of GHL's by more than the incremental overlap would otherwise skip
 * changes until the next full pass.
 */
export class ServerClock {
  private offsetMs: number | null = null;

  /** Notes an answer's `Date` header (whole seconds), received at `receivedAt` on this machine's clock. */
  observe(headers: Headers, receivedAt = Date.now()): void {
    const date = headers.get('date');
    const at = date ? Date.parse(date) : Number.NaN;
    if (Number.isFinite(at)) this.offsetMs = at - receivedAt;
  }

  /** How far GHL's clock is ahead of this machine's (negative: behind); null before any dated answer. */
  get offset(): number | null {
    return this.offsetMs;
  }

  /**
   * GHL's time at this machine's time `localMs`, or null before any dated answer. Never later than
   * GHL's real time: the header drops the fraction of its second and left GHL before it arrived.
   */
  at(localMs: number): Date | null {
    return this.offsetMs === null ? null : new Date(localMs + this.offsetMs);
  }
}

/** How a clock offset reads to a person, when it is over a minute (worth fixing); null otherwise. */
export function describeSkew(offsetMs: number | null): string | null {
  if (offsetMs === null || Math.abs(offsetMs) < 60_000) return null;
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `this machine's clock is ${minutes} min ${offsetMs < 0 ? 'ahead of' : 'behind'} GoHighLevel's`;
}
