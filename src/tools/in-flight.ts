import { settledWithin } from '../deadline.js';

/**
 * The tool calls being answered. A client that writes its last requests and closes stdin (a
 * script piping into the server) still wants the answers: shutting down waits for these first.
 */
export class InFlightCalls {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(call: Promise<T>): Promise<T> {
    this.running.add(call);
    const done = () => void this.running.delete(call);
    call.then(done, done);
    return call;
  }

  get count(): number {
    return this.running.size;
  }

  /** Resolves when every call now running has ended, after `ms`, or when `stop` aborts, whichever comes first. */
  async settled(ms: number, stop?: AbortSignal): Promise<void> {
    if (this.running.size) await settledWithin(Promise.allSettled([...this.running]), ms, stop);
  }
}

/** `handler`, its calls counted in `inFlight` while they run (when there is one). */
export function tracked<A extends unknown[], R>(inFlight: InFlightCalls | undefined, handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => (inFlight ? inFlight.track(handler(...args)) : handler(...args));
}
