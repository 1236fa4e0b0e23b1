export type HealthStatus = 'ok' | 'degraded' | 'failing' | 'never_synced';

export interface HealthInput {
  lastSuccessAt: Date | null;
  anyRunFinished: boolean;
  consecutiveFailures: number;
  intervalMinutes: number;
  now: Date;
}

/** Three failures in a row is failing; one, or a last success older than three periods, is degraded. */
export function healthStatus(h: HealthInput): HealthStatus {
  if (!h.anyRunFinished) return 'never_synced';
  if (h.consecutiveFailures >= 3) return 'failing';
  if (h.consecutiveFailures > 0 || !h.lastSuccessAt) return 'degraded';
  if (h.intervalMinutes > 0 && h.now.getTime() - h.lastSuccessAt.getTime() > 3 * h.intervalMinutes * 60_000) return 'degraded';
  return 'ok';
}
