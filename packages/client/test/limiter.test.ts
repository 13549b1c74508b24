import { describe, expect, it } from "vitest";
import {
  type ClientEvent,
  createQualysClient,
  type HttpRequest,
  QualysRateLimitError,
  readLimitHeaders,
} from "../src/index.js";
import { fakeClock, res, simpleReturn } from "./fake-transport.js";

const API = "https://qualysapi.qualys.com";
const KB = (qid: number) =>
  `<?xml version="1.0"?><KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST><VULN><QID>${qid}</QID></VULN></VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`;
const limits = (remaining: number, toWait = 0, concurrency = 2) => ({
  "x-ratelimit-limit": "300",
  "x-ratelimit-window-sec": "3600",
  "x-ratelimit-remaining": String(remaining),
  "x-ratelimit-towait-sec": String(toWait),
  "x-concurrency-limit-limit": String(concurrency),
});

/** A transport that records when each request was sent (fake clock time) and how many ran at once. */
function timedTransport(
  clock: { now: () => number },
  answer: (req: HttpRequest, n: number) => ReturnType<typeof res>,
) {
  const sent: { at: number; req: HttpRequest }[] = [];
  let running = 0;
  let maxRunning = 0;
  const transport = async (req: HttpRequest) => {
    sent.push({ at: clock.now(), req });
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running -= 1;
    return answer(req, sent.length);
  };
  return { transport, sent, maxRunning: () => maxRunning };
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("limit headers (docs/qualys-api.md 5.3)", () => {
  it("reads both concurrency spellings, case-insensitively lower-cased by the transport", () => {
    expect(readLimitHeaders({ "x-concurrencylimit-limit": "3" }).concurrencyLimit).toBe(3);
    expect(readLimitHeaders({ "x-concurrency-limit-limit": "1" }).concurrencyLimit).toBe(1);
    expect(readLimitHeaders(limits(291))).toEqual({
      limit: 300,
      windowSec: 3600,
      remaining: 291,
      toWaitSec: 0,
      concurrencyLimit: 2,
    });
  });
});

describe("the shared limiter", () => {
  it("after a 409 (code 1965) sends NO call to that API before X-RateLimit-ToWait-Sec has passed, for all concurrent callers", async () => {
    const { clock, now } = fakeClock();
    const events: ClientEvent[] = [];
    const t = timedTransport({ now }, (_req, n) =>
      n === 1
        ? res(
            409,
            simpleReturn(1965, "This API cannot be run again for another 0 hours, 0 minutes and 42 seconds."),
            {
              ...limits(0, 42),
              "content-type": "text/xml",
            },
          )
        : res(200, KB(n), limits(290)),
    );
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p" },
      transport: t.transport,
      clock,
      concurrency: 1,
      log: (e) => events.push(e),
    });
    const start = now();
    const results = await Promise.all([1, 2, 3].map((id) => drain(client.kb.list({ ids: [id] }))));
    expect(results.flat()).toHaveLength(3);
    // The first request was refused; every later one waited the 42 s.
    expect(t.sent[0]?.at).toBe(start);
    for (const s of t.sent.slice(1)) expect(s.at).toBeGreaterThanOrEqual(start + 42_000);
    expect(t.sent).toHaveLength(4);
    const waits = events.filter((e) => e.type === "wait");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ type: "wait", seconds: 42, api: "/api/2.0/fo/knowledge_base/vuln" });
    expect(client.stats.limitWaits).toBe(1);
  });

  it("takes SECONDS_TO_WAIT from the body when the header is missing, and a short wait for 1960", async () => {
    for (const [code, items, expected] of [
      [1965, { SECONDS_TO_WAIT: "30" }, 30_000],
      [1960, {}, 2_000],
    ] as const) {
      const { clock, now } = fakeClock();
      const t = timedTransport({ now }, (_req, n) =>
        n === 1 ? res(409, simpleReturn(code, "This API cannot be run again", items)) : res(200, KB(1)),
      );
      const client = createQualysClient({
        apiUrl: API,
        auth: { kind: "basic", username: "u", password: "p" },
        transport: t.transport,
        clock,
      });
      await drain(client.kb.list({ ids: [1] }));
      expect((t.sent[1]?.at ?? 0) - (t.sent[0]?.at ?? 0)).toBe(expected);
    }
  });

  it("after X-RateLimit-Remaining: 0 it waits before the next call instead of provoking a 409", async () => {
    const { clock, now } = fakeClock();
    const t = timedTransport({ now }, (_req, n) => res(200, KB(n), n === 1 ? limits(0, 17) : limits(299)));
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p" },
      transport: t.transport,
      clock,
    });
    await drain(client.kb.list({ ids: [1] }));
    await drain(client.kb.list({ ids: [2] }));
    expect((t.sent[1]?.at ?? 0) - (t.sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(17_000);
    expect(t.sent.every((s) => s.req.url.endsWith("/vuln/"))).toBe(true);
  });

  it("limits are per API: a wait on the KB does not hold WAS calls", async () => {
    const { clock, now } = fakeClock();
    const t = timedTransport({ now }, (req, n) =>
      req.url.includes("/qps/")
        ? res(200, "<ServiceResponse><responseCode>SUCCESS</responseCode><count>3</count></ServiceResponse>")
        : res(200, KB(n), limits(0, 600)),
    );
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p" },
      transport: t.transport,
      clock,
    });
    const start = now();
    await drain(client.kb.list({ ids: [1] }));
    expect(await client.was.webApps.count()).toBe(3);
    expect(t.sent[1]?.at).toBe(start);
  });

  it("adapts concurrency to X-Concurrency-Limit-Limit and never exceeds it", async () => {
    const { clock, now } = fakeClock();
    const t = timedTransport({ now }, (_req, n) => res(200, KB(n), limits(200, 0, 1)));
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p" },
      transport: t.transport,
      clock,
      concurrency: 4,
    });
    await drain(client.kb.list({ ids: [0] })); // learn the limit of 1
    await Promise.all([1, 2, 3, 4, 5].map((id) => drain(client.kb.list({ ids: [id] }))));
    expect(t.maxRunning()).toBe(1);
  });

  it("two clients do not share limiter state (no module global)", async () => {
    const { clock, now } = fakeClock();
    const a = timedTransport({ now }, () => res(200, KB(1), limits(0, 999)));
    const b = timedTransport({ now }, () => res(200, KB(1), limits(100)));
    const options = { apiUrl: API, auth: { kind: "basic", username: "u", password: "p" } as const, clock };
    const first = createQualysClient({ ...options, transport: a.transport });
    const second = createQualysClient({ ...options, transport: b.transport });
    const start = now();
    await drain(first.kb.list({ ids: [1] }));
    await drain(second.kb.list({ ids: [1] }));
    expect(b.sent[0]?.at).toBe(start);
  });

  it("a wait longer than maxWaitSec reaches the caller as a QualysRateLimitError with waitSec", async () => {
    const { clock, now } = fakeClock();
    const t = timedTransport({ now }, () =>
      res(
        409,
        simpleReturn(1965, "This API cannot be run again for another 23 hours, 57 minutes and 54 seconds.", {
          SECONDS_TO_WAIT: "86274",
        }),
      ),
    );
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p" },
      transport: t.transport,
      clock,
    });
    const error = await drain(client.kb.list({ ids: [1] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysRateLimitError);
    expect(error).toMatchObject({ code: 1965, waitSec: 86274 });
    expect(t.sent).toHaveLength(1);
  });
});
