import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A signal aborted when `parent` is, or after `ms` with a TimeoutError. Node's
 * AbortSignal.timeout() is only weakly held once combined with another signal (AbortSignal.any,
 * as ky does with every request's): collected as garbage, it never fires, and a live read then
 * ran through all its retries. This one is held by its own timer; `clear` ends it when the work does.
 */
export function deadline(ms: number, parent?: AbortSignal): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const follow = () => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', follow);
    },
  };
}

/**
 * Waits for `work` to settle, for `ms` at most (Infinity: as long as it takes) and until `stop`
 * aborts; true when it settled in time. Its outcome is not looked at, and no timer outlives the wait.
 */
export async function settledWithin(work: Promise<unknown>, ms: number, stop?: AbortSignal): Promise<boolean> {
  if (stop?.aborted) return false;
  const done = work.then(
    () => true,
    () => true,
  );
  if (!Number.isFinite(ms) && !stop) return done;
  const waiting = new AbortController();
  try {
    return await Promise.race([
      done,
      ...(Number.isFinite(ms) ? [sleep(ms, false, { signal: waiting.signal }).catch(() => false)] : []),
      ...(stop ? [new Promise<boolean>((resolve) => stop.addEventListener('abort', () => resolve(false), { once: true, signal: waiting.signal }))] : []),
    ]);
  } finally {
    waiting.abort();
  }
}
