import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  type ClientEvent,
  createQualysClient,
  DEFAULT_RETRY,
  QualysApiError,
  QualysAuthError,
  QualysConfigError,
  type QualysError,
  QualysHttpError,
  QualysNetworkError,
  QualysParseError,
  QualysRateLimitError,
  QualysTimeoutError,
  retryDecision,
  transportFailure,
} from "../src/index.js";
import { fakeClock, res, scripted, serviceResponse } from "./fake-transport.js";

const req = { method: "POST", url: "https://qualysapi.qualys.com/api/2.0/fo/scan/" };
const OK = serviceResponse("<WebApp><id>1</id><name>a</name></WebApp>", { count: 1, hasMoreRecords: false });
const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("retry decisions (table)", () => {
  const cases: [string, QualysError, boolean, boolean][] = [
    ["network reset, idempotent", new QualysNetworkError("ECONNRESET", "reset", req), true, true],
    ["network reset, launch", new QualysNetworkError("ECONNRESET", "reset", req), false, false],
    ["timeout", new QualysTimeoutError(1000, req), true, true],
    ["HTTP 503", new QualysHttpError(503, req, ""), true, true],
    ["HTTP 429", new QualysHttpError(429, req, ""), true, true],
    ["HTTP 404", new QualysHttpError(404, req, ""), true, false],
    ["HTML page", new QualysParseError("html", req, ""), true, true],
    ["INVALID_REQUEST", new QualysApiError("INVALID_REQUEST", "bad", req), true, false],
    ["credentials", new QualysAuthError("credentials", "no", req), true, false],
    ["config", new QualysConfigError(["x"]), true, false],
    ["rate limit (the limiter's job)", new QualysRateLimitError(1965, 10, req), true, false],
  ];
  it.each(cases)("%s", (_name, error, idempotent, expected) => {
    const decision = retryDecision(error, { idempotent, attempt: 0 }, DEFAULT_RETRY, () => 0.5);
    expect(decision.retry).toBe(expected);
  });

  it("stops after maxRetries", () => {
    const error = new QualysHttpError(502, req, "");
    expect(retryDecision(error, { idempotent: true, attempt: 4 }, DEFAULT_RETRY, () => 0).retry).toBe(true);
    expect(retryDecision(error, { idempotent: true, attempt: 5 }, DEFAULT_RETRY, () => 0).retry).toBe(false);
  });

  it("backs off exponentially within [cap/2, cap], capped at maxDelayMs", () => {
    const low = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_RETRY, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_RETRY, () => 1));
    expect(low).toEqual([250, 500, 1000, 2000, 4000]);
    expect(high).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoffDelay(20, DEFAULT_RETRY, () => 1)).toBe(30_000);
  });

  it("maps undici and Node transport failures; anything else is a bug and is not mapped", () => {
    expect(transportFailure(errno("ECONNRESET"), req, 1000, [])).toBeInstanceOf(QualysNetworkError);
    expect(transportFailure(errno("UND_ERR_SOCKET", "other side closed"), req, 1000, [])).toBeInstanceOf(
      QualysNetworkError,
    );
    expect(transportFailure(errno("UND_ERR_HEADERS_TIMEOUT"), req, 1000, [])).toBeInstanceOf(
      QualysTimeoutError,
    );
    expect(transportFailure(errno("UND_ERR_BODY_TIMEOUT"), req, 1000, [])).toBeInstanceOf(QualysTimeoutError);
    expect(transportFailure(new TypeError("x is undefined"), req, 1000, [])).toBeUndefined();
    const leaky = transportFailure(errno("ECONNREFUSED", "connect to http://u:pw@proxy failed"), req, 1000, [
      "pw",
    ]);
    expect(leaky?.message).not.toContain("pw@");
  });
});

describe("retries in the client", () => {
  it("retries resets, 5xx, truncated XML and HTML pages of idempotent calls, logging reason and delay", async () => {
    const fake = scripted([
      errno("ECONNRESET", "read ECONNRESET"),
      res(502, "<html>bad gateway</html>"),
      res(200, OK.slice(0, 60)),
      res(200, "<!DOCTYPE html><html><body>Maintenance</body></html>"),
      res(200, OK),
    ]);
    const { clock, sleeps } = fakeClock();
    const events: ClientEvent[] = [];
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport: fake.transport,
      clock,
      random: () => 1,
      log: (e) => events.push(e),
    });
    expect(await client.was.webApps.count()).toBe(1);
    expect(sleeps).toEqual([500, 1000, 2000, 4000]);
    const retries = events.filter((e) => e.type === "retry");
    expect(retries.map((e) => (e.type === "retry" ? e.delayMs : 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retries.map((e) => (e.type === "retry" ? e.reason : ""))).toEqual([
      expect.stringContaining("ECONNRESET"),
      expect.stringContaining("HTTP 502"),
      expect.stringContaining("truncated"),
      expect.stringContaining("HTML"),
    ]);
  });

  it("does not retry a WAS scan launch; the findExisting hook decides whether a scan was created", async () => {
    const fake = scripted([
      errno("UND_ERR_SOCKET", "other side closed"),
      res(200, serviceResponse("<WasScan><id>777</id></WasScan>", { count: 1 })),
    ]);
    const { clock } = fakeClock();
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport: fake.transport,
      clock,
    });
    const seen: string[] = [];
    const id = await client.was.scan.launch(
      { name: "ci-1", type: "VULNERABILITY", webAppId: 5, authRecord: "none", scanner: { type: "EXTERNAL" } },
      {
        findExisting: async (error) => {
          seen.push(error.kind);
          return undefined; // nothing was created: launch again
        },
      },
    );
    expect(id).toBe(777);
    expect(seen).toEqual(["network"]);
    expect(fake.requests.map((r) => new URL(r.url).pathname)).toEqual([
      "/qps/rest/3.0/launch/was/wasscan",
      "/qps/rest/3.0/launch/was/wasscan",
    ]);
  });

  it("a launch whose answer was lost is found, not launched twice", async () => {
    const fake = scripted([res(503, "busy")]);
    const { clock } = fakeClock();
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport: fake.transport,
      clock,
    });
    const ref = await client.vm.scans.launch(
      { scan_title: "gate", ip: "10.0.0.1", option_id: "1" },
      "2026-01-01",
      {
        findExisting: async () => "scan/1.2",
      },
    );
    expect(ref).toBe("scan/1.2");
    expect(fake.requests).toHaveLength(1);
  });

  it("gives up after maxRetries with the last error", async () => {
    const fake = scripted([res(500, "a"), res(500, "b"), res(500, "c")]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport: fake.transport,
      clock: fakeClock().clock,
      retry: { maxRetries: 2 },
    });
    const error = await client.was.webApps.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysHttpError);
    expect((error as QualysHttpError).bodyExcerpt).toBe("c");
    expect(fake.remaining()).toBe(0);
  });
});
