import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQualysClient, QualysConfigError, QualysTimeoutError } from "../src/index.js";
import { createDispatcher, undiciTransport } from "../src/transport.js";
import { scripted } from "./fake-transport.js";

const VERSION = `<?xml version="1.0"?><ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><data><Portal-Version><WAS-VERSION>6.13</WAS-VERSION></Portal-Version></data></ServiceResponse>`;

let server: Server;
let base = "";
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
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
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
    await expect(
      transport({ method: "GET", url: `${base}/slow`, headers: {}, timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: "UND_ERR_HEADERS_TIMEOUT" });
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
