import { describe, expect, it } from "vitest";
import { ApiLimiter, limitKey } from "../../src/http/limits.js";

describe("ApiLimiter", () => {
  it("blocks on concurrency first (1960), then on rate (1965) with the wait until the window frees a call", () => {
    let now = 1_000_000;
    const limiter = new ApiLimiter({ calls: 2, windowSec: 60, concurrency: 1 }, () => now);
    const first = limiter.acquire("kb");
    expect(first.allowed).toBe(true);
    const second = limiter.acquire("kb");
    expect(second).toMatchObject({ allowed: false, code: 1960 });
    if (first.allowed) first.release();
    now += 1000;
    const third = limiter.acquire("kb");
    expect(third.allowed).toBe(true);
    expect(third.headers["X-RateLimit-Remaining"]).toBe("0");
    // With nothing left, the answer itself says how long to wait: until the first call leaves the window.
    expect(third.headers["X-RateLimit-ToWait-Sec"]).toBe("59");
    if (third.allowed) third.release();
    now += 2000;
    const fourth = limiter.acquire("kb");
    expect(fourth).toMatchObject({ allowed: false, code: 1965, waitSec: 57 });
    expect(limiter.counters.callsDuringWait).toBe(1);
    now += 57_000;
    expect(limiter.acquire("kb").allowed).toBe(true);
    expect(limiter.counters.blocked).toBe(2);
  });

  it("counts each API separately and folds /api/3.0 into /api/2.0", () => {
    const limiter = new ApiLimiter({ calls: 1, windowSec: 60, concurrency: 5 }, () => 0);
    expect(limiter.acquire(limitKey("/api/2.0/fo/knowledge_base/vuln/")).allowed).toBe(true);
    expect(limiter.acquire(limitKey("/api/3.0/fo/knowledge_base/vuln")).allowed).toBe(false);
    expect(limiter.acquire(limitKey("/api/2.0/fo/scan/")).allowed).toBe(true);
  });

  it("sends all six limit headers", () => {
    const limiter = new ApiLimiter({ calls: 300, windowSec: 3600, concurrency: 2 }, () => 0);
    const d = limiter.acquire("x");
    expect(Object.keys(d.headers).sort()).toEqual([
      "X-Concurrency-Limit-Limit",
      "X-Concurrency-Limit-Running",
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-ToWait-Sec",
      "X-RateLimit-Window-Sec",
    ]);
    expect(d.headers["X-Concurrency-Limit-Running"]).toBe("1");
    expect(d.headers["X-RateLimit-Remaining"]).toBe("299");
  });
});
