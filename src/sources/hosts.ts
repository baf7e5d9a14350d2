import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';

/** Politeness towards one host (`http.perHost` in the config). */
export interface HostLimits {
  /** Requests to one host in flight at once (a request counts until its body is read). */
  maxInFlight: number;
  /** Least time between the starts of two requests to one host, in ms; 0 for none. */
  minGapMs: number;
}

/** The longest Retry-After honoured, in ms: a host cannot silence its feeds for longer than this. */
const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/** A host asked for no requests until `until` (epoch ms), later than the caller can wait. */
export class HostBackoff extends Error {
  override name = 'HostBackoff';
  constructor(
    readonly host: string,
    readonly until: number,
  ) {
    super(`${host} asked for no requests until ${new Date(until).toISOString()}`);
  }
}

interface HostState {
  queue: PQueue;
  /** No request starts before this time (epoch ms), from the host's last Retry-After. */
  notBefore: number;
}

/**
 * Per-host politeness for every request: at most `maxInFlight` in flight and starts at least
 * `minGapMs` apart (p-queue, sliding window), and nothing while a host's Retry-After lasts.
 * Hosts are keyed as in URL.host (name and port). A host's state is dropped once it is idle.
 */
export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly limits: HostLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `task` when `host` allows. A request that would have to wait more than `maxWaitMs` (ms)
   * for the host's Retry-After to pass is not sent: it throws HostBackoff at once.
   */
  async run<T>(host: string, maxWaitMs: number, task: () => Promise<T>): Promise<T> {
    const state = this.stateOf(host);
    this.checkBackoff(host, state, maxWaitMs);
    try {
      return await state.queue.add(async () => {
        const wait = state.notBefore - this.now();
        if (wait > 0) {
          this.checkBackoff(host, state, maxWaitMs);
          await sleep(wait);
        }
        return task();
      });
    } finally {
      this.forgetWhenIdle(host, state);
    }
  }

  /** Records a host's Retry-After (RFC 9110 §10.2.3): no request to it starts before `until` (epoch ms), capped at MAX_RETRY_AFTER_MS. */
  holdOff(host: string, until: number): void {
    const state = this.stateOf(host);
    state.notBefore = Math.max(state.notBefore, Math.min(until, this.now() + MAX_RETRY_AFTER_MS));
  }

  private checkBackoff(host: string, state: HostState, maxWaitMs: number): void {
    if (state.notBefore - this.now() > maxWaitMs) throw new HostBackoff(host, state.notBefore);
  }

  private stateOf(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      const { maxInFlight, minGapMs } = this.limits;
      const queue = minGapMs > 0 ? new PQueue({ concurrency: maxInFlight, interval: minGapMs, intervalCap: 1, strict: true }) : new PQueue({ concurrency: maxInFlight });
      state = { queue, notBefore: 0 };
      this.hosts.set(host, state);
    }
    return state;
  }

  /** Once nothing is queued or running, the gap has passed and no Retry-After holds, the host is forgotten. */
  private forgetWhenIdle(host: string, state: HostState): void {
    const forget = () => {
      if (state.queue.size === 0 && state.queue.pending === 0 && state.notBefore <= this.now() && this.hosts.get(host) === state) this.hosts.delete(host);
    };
    if (this.limits.minGapMs === 0 && state.notBefore <= this.now()) forget();
    else setTimeout(forget, Math.max(this.limits.minGapMs, state.notBefore - this.now())).unref();
  }
}

/**
 * Parses a Retry-After value (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into epoch ms,
 * capped at `now` (epoch ms) + MAX_RETRY_AFTER_MS (6 hours), so any value gives a valid date;
 * null when it is neither.
 */
export function retryAfterUntil(value: string | null, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  const until = /^\d+$/.test(text) ? now + Number(text) * 1000 : Date.parse(text);
  return Number.isNaN(until) ? null : Math.min(until, now + MAX_RETRY_AFTER_MS);
}
