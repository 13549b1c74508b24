/**
 * Qualys API limits (docs/qualys-api.md 5.3, 5.4): a rolling-window call count and a concurrency count per
 * subscription and per API. Blocked calls get HTTP 409 with SIMPLE_RETURN code 1960 (concurrency, checked
 * first) or 1965 (rate), and every limited response carries the six X-RateLimit / X-Concurrency headers.
 */

export interface LimitSettings {
  calls: number;
  windowSec: number;
  concurrency: number;
}

export type LimitDecision =
  | { allowed: true; headers: Record<string, string>; release: () => void }
  | { allowed: false; code: 1960 | 1965; waitSec: number; headers: Record<string, string> };

interface Bucket {
  /** Start times (ms) of accepted calls still inside the window, oldest first. */
  calls: number[];
  running: number;
}

export interface LimitCounters {
  /** Calls answered 409 by the limiter. */
  blocked: number;
  /** Calls that arrived while an earlier answer had told the caller to wait (a client ignoring ToWait-Sec). */
  callsDuringWait: number;
}

export class ApiLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Per API key: the time before which the caller was told not to call. */
  private readonly waitUntil = new Map<string, number>();
  readonly counters: LimitCounters = { blocked: 0, callsDuringWait: 0 };

  constructor(
    private settings: LimitSettings,
    private readonly now: () => number,
  ) {}

  update(settings: LimitSettings): void {
    this.settings = settings;
  }

  reset(): void {
    this.buckets.clear();
    this.waitUntil.clear();
    this.counters.blocked = 0;
    this.counters.callsDuringWait = 0;
  }

  /** Try to start a call on `key` (one key per API). */
  acquire(key: string): LimitDecision {
    const now = this.now();
    const { calls: limit, windowSec, concurrency } = this.settings;
    const bucket = this.bucket(key, now);
    const told = this.waitUntil.get(key);
    if (told !== undefined && now < told) this.counters.callsDuringWait += 1;

    if (bucket.running >= concurrency) {
      this.counters.blocked += 1;
      // The concurrency limit clears as soon as a running call ends; one second is the smallest hint the header can give.
      const waitSec = 1;
      this.waitUntil.set(key, now + waitSec * 1000);
      return {
        allowed: false,
        code: 1960,
        waitSec,
        headers: this.headers(
          limit,
          windowSec,
          limit - bucket.calls.length,
          waitSec,
          concurrency,
          bucket.running,
        ),
      };
    }
    if (bucket.calls.length >= limit) {
      this.counters.blocked += 1;
      const oldest = bucket.calls[0] ?? now;
      const waitSec = Math.max(1, Math.ceil((oldest + windowSec * 1000 - now) / 1000));
      this.waitUntil.set(key, now + waitSec * 1000);
      return {
        allowed: false,
        code: 1965,
        waitSec,
        headers: this.headers(limit, windowSec, 0, waitSec, concurrency, bucket.running),
      };
    }
    bucket.calls.push(now);
    bucket.running += 1;
    const remaining = limit - bucket.calls.length;
    // With nothing left, the answer itself tells the caller how long to wait (docs/qualys-api.md 5.1, QSDK
    // behaviour).
    let waitSec = 0;
    if (remaining === 0) {
      const oldest = bucket.calls[0] ?? now;
      waitSec = Math.max(1, Math.ceil((oldest + windowSec * 1000 - now) / 1000));
      this.waitUntil.set(key, now + waitSec * 1000);
    }
    let released = false;
    return {
      allowed: true,
      headers: this.headers(limit, windowSec, remaining, waitSec, concurrency, bucket.running),
      release: () => {
        if (released) return;
        released = true;
        bucket.running -= 1;
      },
    };
  }

  private bucket(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { calls: [], running: 0 };
      this.buckets.set(key, bucket);
    }
    const windowStart = now - this.settings.windowSec * 1000;
    let drop = 0;
    while (drop < bucket.calls.length && (bucket.calls[drop] ?? 0) <= windowStart) drop++;
    if (drop > 0) bucket.calls.splice(0, drop);
    return bucket;
  }

  private headers(
    limit: number,
    windowSec: number,
    remaining: number,
    waitSec: number,
    concurrency: number,
    running: number,
  ): Record<string, string> {
    return {
      "X-RateLimit-Limit": String(limit),
      "X-RateLimit-Window-Sec": String(windowSec),
      "X-RateLimit-Remaining": String(Math.max(0, remaining)),
      "X-RateLimit-ToWait-Sec": String(waitSec),
      "X-Concurrency-Limit-Limit": String(concurrency),
      "X-Concurrency-Limit-Running": String(running),
    };
  }
}

/** The API a call counts against: its path, with `/api/3.0/` folded into `/api/2.0/` and no trailing slash. */
export function limitKey(path: string): string {
  return path.replace(/^\/api\/\d\.\d\//, "/api/2.0/").replace(/\/+$/, "");
}
