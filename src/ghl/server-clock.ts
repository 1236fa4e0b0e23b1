/**
 * GoHighLevel's clock, as the `Date` headers of its answers give it. GHL stamps `dateUpdated`
 * with its own clock, so "changed since" must be asked in its time: a machine clock running ahead
 * of GHL's by more than the incremental overlap would otherwise skip changes until the next full
 * pass.
 */
export class ServerClock {
  private offsetMs: number | null = null;
  private readonly windows = new Set<{ earliest: number | null }>();

  /** Notes an answer's `Date` header (whole seconds), received at `receivedAt` on this machine's clock. */
  observe(headers: Headers, receivedAt = Date.now()): void {
    const date = headers.get('date');
    const at = date ? Date.parse(date) : Number.NaN;
    if (!Number.isFinite(at)) return;
    this.offsetMs = at - receivedAt;
    for (const w of this.windows) if (w.earliest === null || at < w.earliest) w.earliest = at;
  }

  /** How far GHL's clock was ahead of this machine's at the last dated answer (negative: behind); null before any. */
  get offset(): number | null {
    return this.offsetMs;
  }

  /**
   * Starts watching for the earliest time GHL gives from now on. That answer left GHL after the
   * window opened, and its header drops the fraction of its second; an odd header (a cache, a
   * proxy) can only make it earlier. This machine's clock plays no part, so a step in it does not
   * move the result.
   */
  open(): { earliest(): Date | null; close(): void } {
    const w = { earliest: null as number | null };
    this.windows.add(w);
    return {
      earliest: () => (w.earliest === null ? null : new Date(w.earliest)),
      close: () => void this.windows.delete(w),
    };
  }
}

/** How a clock offset reads to a person, when it is over a minute (worth fixing); null otherwise. */
export function describeSkew(offsetMs: number | null): string | null {
  if (offsetMs === null || Math.abs(offsetMs) < 60_000) return null;
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `this machine's clock is ${minutes} min ${offsetMs < 0 ? 'ahead of' : 'behind'} GoHighLevel's`;
}
