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
