/**
 * One limiter per client instance, shared by every concurrent call (never a module global). It keeps, per API,
 * how many calls may run at once (adapting to `X-Concurrency-Limit-Limit`) and until when no call may be sent
 * (after a 409, or an answer with `X-RateLimit-Remaining: 0` and its `X-RateLimit-ToWait-Sec`), qualys-api.md 5.3.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface ApiState {
  limit: number;
  running: number;
  blockedUntil: number;
  waiters: (() => void)[];
}

export interface LimitHeaders {
  limit?: number;
  remaining?: number;
  toWaitSec?: number;
  concurrencyLimit?: number;
  windowSec?: number;
}

/** Read the limit headers; both `X-Concurrency-Limit-Limit` and `X-ConcurrencyLimit-Limit` are seen (5.3). */
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
      s = { limit: this.maxConcurrency, running: 0, blockedUntil: 0, waiters: [] };
      this.apis.set(key, s);
    }
    return s;
  }

  /** Wait for a slot on this API; resolves with a release function. */
  async acquire(key: string, onWait?: (ms: number) => void): Promise<() => void> {
    const s = this.state(key);
    for (;;) {
      const wait = s.blockedUntil - this.clock.now();
      if (wait > 0) {
        onWait?.(wait);
        await this.clock.sleep(wait);
        continue;
      }
      if (s.running < s.limit) break;
      await new Promise<void>((resolve) => s.waiters.push(resolve));
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
    }
    if (headers.remaining === 0) this.block(key, headers.toWaitSec ?? 1);
  }

  /** No call to this API before `waitSec` seconds have passed. */
  block(key: string, waitSec: number): void {
    const s = this.state(key);
    s.blockedUntil = Math.max(s.blockedUntil, this.clock.now() + Math.max(0, waitSec) * 1000);
  }
}

/** Calls count per API path (qualys-api.md 5.3); `/api/3.0` and `/api/2.0` are one API. */
export function apiKey(path: string): string {
  return path
    .replace(/^\/api\/\d\.\d\//, "/api/2.0/")
    .replace(/\/+$/, "")
    .replace(/\/\d+$/, "/{id}");
}
