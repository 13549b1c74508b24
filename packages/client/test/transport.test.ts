import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createQualysClient,
  QualysAbortError,
  QualysConfigError,
  QualysResponseTooLargeError,
  QualysTimeoutError,
  withRequestScope,
} from "../src/index.js";
import { createDispatcher, undiciTransport } from "../src/transport.js";
import { scripted } from "./fake-transport.js";

const VERSION = `<?xml version="1.0"?><ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><Portal-Version><WAS-VERSION>6.13</WAS-VERSION></Portal-Version></data></ServiceResponse>`;

let server: Server;
let base = "";
const seen: IncomingMessage[] = [];
/** Requests to /hold wait here (never answered) until the test ends; `held` hears each one arrive. */
const holding: ServerResponse[] = [];
let held: (() => void) | undefined;
/** Drip timers still running, stopped at the end. */
const drips = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url?.startsWith("/drip")) {
      // One byte every 50 ms, for at most 200 bytes (10 s): each byte resets an idle timer.
      res.writeHead(200, { "content-type": "application/xml" });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        if (sent >= 200 || res.destroyed) {
          clearInterval(timer);
          drips.delete(timer);
          res.end();
          return;
        }
        res.write(" ");
      }, 50);
      drips.add(timer);
      return;
    }
    if (req.url?.startsWith("/hold")) {
      holding.push(res);
      held?.();
      return;
    }
    if (req.url?.startsWith("/big")) {
      // 3 MiB in 64 KiB chunks; with `/big-announced` the length is announced up front.
      const chunk = Buffer.alloc(64 * 1024, "a");
      if (req.url.startsWith("/big-announced")) res.setHeader("content-length", String(48 * chunk.length));
      let left = 48;
      const more = () => {
        while (left > 0 && !res.destroyed) {
          left -= 1;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
      return;
    }
    if (req.url?.startsWith("/slow")) {
      // undici checks timeouts on a coarse (~0.5 s) tick, so the answer must come well after it.
      setTimeout(() => res.end(VERSION), 1500);
      return;
    }
    res.setHeader("content-type", "application/xml");
    res.setHeader("X-RateLimit-Remaining", "12");
    res.end(VERSION);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const timer of drips) clearInterval(timer);
  for (const res of holding) res.destroy();
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A client whose every call goes to `path` on the local server. */
function clientTo(
  path: string,
  options: Parameters<typeof createQualysClient>[0] extends infer O ? Partial<O> : never = {},
) {
  const transport = undiciTransport(createDispatcher({}));
  return createQualysClient({
    baseUrl: base,
    auth: { kind: "basic", username: "u", password: "not-in-any-url" },
    retry: { maxRetries: 0 },
    transport: (req) => transport({ ...req, url: req.url.replace("/qps/rest/portal/version", path) }),
    ...options,
  });
}

describe("deadlines, aborts and size caps (local server on 127.0.0.1)", () => {
  it("the timeout is a total deadline: a server dripping a byte every 50 ms does not extend it", async () => {
    const transport = undiciTransport(createDispatcher({}));
    const started = Date.now();
    await expect(
      transport({ method: "GET", url: `${base}/drip`, headers: {}, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: "ETIMEDOUT" });
    // The drip lasts 10 s; ending well before it shows the deadline, not the end of the body, stopped it.
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(clientTo("/drip", { timeoutMs: 300 }).portal.version()).rejects.toBeInstanceOf(
      QualysTimeoutError,
    );
  });

  it("a request scope's abort stops a request in flight with a QualysAbortError, not retried", async () => {
    const controller = new AbortController();
    const arrived = new Promise<void>((resolve) => {
      held = resolve;
    });
    const before = holding.length;
    const call = withRequestScope({ signal: controller.signal }, () =>
      clientTo("/hold", { retry: { maxRetries: 3 } }).portal.version(),
    );
    await arrived;
    controller.abort("SIGTERM received");
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysAbortError);
    expect((error as Error).message).toBe("GET /qps/rest/portal/version: stopped (SIGTERM received)");
    // One request reached the server: the abort was not retried.
    expect(holding.length).toBe(before + 1);
    // An aborted scope sends nothing more.
    await expect(
      withRequestScope({ signal: controller.signal }, () => clientTo("/hold").portal.version()),
    ).rejects.toBeInstanceOf(QualysAbortError);
    expect(holding.length).toBe(before + 1);
  });

  it.each([
    ["/big", "counted as it arrives"],
    ["/big-announced", "announced by Content-Length"],
  ])("a body over maxResponseBytes (%s, %s) is a final error naming the endpoint", async (path) => {
    const client = clientTo(path, { maxResponseBytes: 1024 * 1024, retry: { maxRetries: 3 } });
    const error = await client.portal.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysResponseTooLargeError);
    expect((error as Error).message).toBe(
      "GET /qps/rest/portal/version: the response is larger than 1 MB (the client's maxResponseBytes); refusing to read it",
    );
    expect(client.stats.retries).toBe(0);
  });

  it("refuses a size cap that is not a positive integer, naming the option", () => {
    expect(() =>
      createQualysClient({
        baseUrl: base,
        auth: { kind: "basic", username: "u", password: "not-in-any-url" },
        maxResponseBytes: 0,
      }),
    ).toThrow("maxResponseBytes: 0 must be a positive integer");
  });
});

describe("undici transport (local server on 127.0.0.1)", () => {
  it("sends User-Agent qualys-connector/<version> and lower-cases response headers", async () => {
    const client = createQualysClient({
      baseUrl: base,
      auth: { kind: "basic", username: "u", password: "p" },
    });
    expect(await client.portal.version()).toEqual({ "WAS-VERSION": "6.13" });
    expect(seen.at(-1)?.headers["user-agent"]).toBe("qualys-connector/0.1.0");
    const response = await undiciTransport(new Agent())({
      method: "GET",
      url: `${base}/x`,
      headers: {},
      timeoutMs: 0,
    });
    expect(response.headers["x-ratelimit-remaining"]).toBe("12");
  });

  it("a per-request timeout becomes a QualysTimeoutError; 0 disables it", async () => {
    const transport = undiciTransport(createDispatcher({}));
    // The total deadline (a real timer) fires, not undici's idle headers timer of the same length.
    await expect(
      transport({ method: "GET", url: `${base}/slow`, headers: {}, timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: "ETIMEDOUT" });
    const ok = await transport({ method: "GET", url: `${base}/slow`, headers: {}, timeoutMs: 0 });
    expect(ok.status).toBe(200);

    const client = createQualysClient({
      baseUrl: `${base}/slow`.replace("/slow", ""),
      auth: { kind: "basic", username: "u", password: "p" },
      timeoutMs: 100,
      retry: { maxRetries: 0 },
      transport: (req) => transport({ ...req, url: req.url.replace("/qps/rest/portal/version", "/slow") }),
    });
    await expect(client.portal.version()).rejects.toBeInstanceOf(QualysTimeoutError);
  });

  it("uses the dispatcher the caller passes", async () => {
    const agent = new Agent();
    const client = createQualysClient({
      baseUrl: base,
      auth: { kind: "basic", username: "u", password: "p" },
      dispatcher: agent,
    });
    await client.portal.version();
    await agent.close();
  });

  it("refuses an unreadable CA file and a malformed proxy URL with config errors naming the input", () => {
    expect(() => createDispatcher({ caFile: "/nonexistent/ca.pem" })).toThrow(QualysConfigError);
    expect(() => createDispatcher({ proxy: "not a url" })).toThrow(/^proxy: not a URL/);
    // Proxy credentials are accepted and never kept in the proxy URI.
    expect(() => createDispatcher({ proxy: "http://user:p%40ss@127.0.0.1:3128" })).not.toThrow();
  });
});

describe("fake transport", () => {
  it("an unexpected request fails the call with its URL (and so the test)", async () => {
    const fake = scripted([]);
    const client = createQualysClient({
      platform: "US1",
      auth: { kind: "basic", username: "u", password: "p" },
      transport: fake.transport,
    });
    await expect(client.portal.version()).rejects.toThrow(
      "unexpected request GET https://qualysapi.qualys.com/qps/rest/portal/version",
    );
  });
});
