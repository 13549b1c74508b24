/**
 * One limiter per client instance, shared by every concurrent call (never a module global). It keeps, per API,
 * how many calls may run at once (adapting to `X-Concurrency-Limit-Limit`) and until when no call may be sent
 * (after a 409, or an answer with `X-RateLimit-Remaining: 0` and its `X-RateLimit-ToWait-Sec`),
 * docs/qualys-api.md 5.3.
 */

import { sleep } from "./timers.js";

export interface Clock {
  now(): number;
  /** Wait `ms`; resolves early when `signal` aborts. Any length (see timers.ts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
};

interface ApiState {
  limit: number;
  running: number;
  blockedUntil: number;
  blockReason: string;
  waiters: (() => void)[];
}

export interface LimitHeaders {
  limit?: number;
  remaining?: number;
  toWaitSec?: number;
  concurrencyLimit?: number;
  windowSec?: number;
}

/**
 * Read the limit headers; both `X-Concurrency-Limit-Limit` and `X-ConcurrencyLimit-Limit` are seen
 * (docs/qualys-api.md 5.3).
 */
export function readLimitHeaders(headers: Record<string, string>): LimitHeaders {
  const n = (name: string) => {
    const v = headers[name];
    return v === undefined || !/^\d+$/.test(v.trim()) ? undefined : Number(v);
  };
  const out: LimitHeaders = {};
  const set = <K extends keyof LimitHeaders>(key: K, value: number | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set("limit", n("x-ratelimit-limit"));
  set("remaining", n("x-ratelimit-remaining"));
  set("toWaitSec", n("x-ratelimit-towait-sec"));
  set("windowSec", n("x-ratelimit-window-sec"));
  set("concurrencyLimit", n("x-concurrency-limit-limit") ?? n("x-concurrencylimit-limit"));
  return out;
}

export class ApiLimiter {
  private readonly apis = new Map<string, ApiState>();
  /** Last limit headers seen per API, for `doctor`. */
  readonly observed = new Map<string, LimitHeaders>();

  constructor(
    private readonly maxConcurrency: number,
    private readonly clock: Clock,
  ) {}

  private state(key: string): ApiState {
    let s = this.apis.get(key);
    if (!s) {
      s = { limit: this.maxConcurrency, running: 0, blockedUntil: 0, blockReason: "API limit", waiters: [] };
      this.apis.set(key, s);
    }
    return s;
  }

  /**
   * Wait for a slot on this API; resolves with a release function. When `signal` aborts, the wait ends by
   * rejecting with the signal's reason and no slot is taken.
   */
  async acquire(
    key: string,
    onWait?: (ms: number, reason: string) => void,
    signal?: AbortSignal,
  ): Promise<() => void> {
    const s = this.state(key);
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const wait = s.blockedUntil - this.clock.now();
      if (wait > 0) {
        onWait?.(wait, s.blockReason);
        await this.clock.sleep(wait, signal);
        continue;
      }
      if (s.running < s.limit) break;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        // An aborted waiter leaves the queue, so it never holds a slot meant for the next call.
        const onAbort = () => {
          const index = s.waiters.indexOf(wake);
          if (index >= 0) s.waiters.splice(index, 1);
          resolve();
        };
        s.waiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    s.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.running -= 1;
      s.waiters.shift()?.();
    };
  }

  /** Learn from an answer's headers. */
  observe(key: string, headers: LimitHeaders): void {
    if (Object.keys(headers).length === 0) return;
    this.observed.set(key, headers);
    const s = this.state(key);
    if (headers.concurrencyLimit !== undefined && headers.concurrencyLimit > 0) {
      s.limit = Math.min(this.maxConcurrency, headers.concurrencyLimit);
      // A raised limit frees slots for calls already queued.
      for (let free = s.limit - s.running; free > 0 && s.waiters.length > 0; free -= 1) s.waiters.shift()?.();
    }
    // Remaining 0: the next call would get a 409, so hold every call until the window frees one
    // (docs/qualys-api.md 5.3). QSDK asks
    // once more to learn the wait; without a hint we wait the header's window at most, else 60 s.
    if (headers.remaining === 0) {
      const wait =
        headers.toWaitSec && headers.toWaitSec > 0
          ? headers.toWaitSec
          : Math.min(headers.windowSec ?? 60, 60);
      this.block(key, wait, "X-RateLimit-Remaining: 0");
    }
  }

  /** No call to this API before `waitSec` seconds have passed. */
  block(key: string, waitSec: number, reason = "API limit"): void {
    const s = this.state(key);
    const until = this.clock.now() + Math.max(0, waitSec) * 1000;
    if (until > s.blockedUntil) {
      s.blockedUntil = until;
      s.blockReason = reason;
    }
  }
}

/** Calls count per API path (docs/qualys-api.md 5.3); `/api/3.0` and `/api/2.0` are one API. */
export function apiKey(path: string): string {
  return path
    .replace(/^\/api\/\d\.\d\//, "/api/2.0/")
    .replace(/\/+$/, "")
    .replace(/\/\d+$/, "/{id}");
}
