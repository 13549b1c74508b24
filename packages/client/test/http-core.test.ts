import { describe, expect, it } from "vitest";
import {
  type ClientEvent,
  createQualysClient,
  type HttpRequest,
  type HttpResponse,
  QualysHttpError,
  QualysNetworkError,
} from "../src/index.js";

const OK_WEBAPPS = `<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><hasMoreRecords>false</hasMoreRecords><data><WebApp><id>1</id><name>a</name></WebApp></data></ServiceResponse>`;

/** A scripted transport: each call takes the next answer; an unexpected extra call fails the test. */
function scripted(answers: (HttpResponse | Error)[]) {
  const requests: HttpRequest[] = [];
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${req.method} ${req.url}`);
    if (next instanceof Error) throw next;
    return next;
  };
  return { transport, requests };
}

function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

const res = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers,
});
const reset = () => Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });

describe("request core", () => {
  it("retries 5xx, resets and HTML pages with growing, jittered delays, then succeeds", async () => {
    const { transport, requests } = scripted([
      res(503, "<html>busy</html>"),
      reset(),
      res(200, "<!DOCTYPE html><html>maintenance</html>"),
      res(200, OK_WEBAPPS),
    ]);
    const { clock, sleeps } = fakeClock();
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport,
      clock,
      random: () => 0.5,
    });
    expect(await client.was.webApps.count()).toBe(1);
    expect(requests).toHaveLength(4);
    expect(sleeps).toEqual([375, 750, 1500]);
    expect(client.stats.retries).toBe(3);
  });

  it("gives up after maxRetries with the last error", async () => {
    const { transport } = scripted([res(500, "x"), res(500, "x"), res(500, "x")]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport,
      clock: fakeClock().clock,
      maxRetries: 2,
    });
    await expect(client.was.webApps.count()).rejects.toBeInstanceOf(QualysHttpError);
  });

  it("never blindly retries a call that is not idempotent", async () => {
    const { transport, requests } = scripted([reset()]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport,
      clock: fakeClock().clock,
    });
    await expect(
      client.core.call({
        family: "qps",
        method: "POST",
        path: "/qps/rest/3.0/launch/was/wasscan",
        body: "<ServiceRequest/>",
        idempotent: false,
      }),
    ).rejects.toBeInstanceOf(QualysNetworkError);
    expect(requests).toHaveLength(1);
  });

  it("after a 409 it waits X-RateLimit-ToWait-Sec before the next call to that API, and continues", async () => {
    const limitBody =
      "<SIMPLE_RETURN><RESPONSE><DATETIME>x</DATETIME><CODE>1965</CODE><TEXT>wait</TEXT></RESPONSE></SIMPLE_RETURN>";
    const kb =
      "<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><DATETIME>x</DATETIME><ID_SET><ID>6</ID></ID_SET></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>";
    const { transport, requests } = scripted([
      res(409, limitBody, { "x-ratelimit-towait-sec": "42" }),
      res(200, kb),
    ]);
    const { clock, sleeps } = fakeClock();
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport,
      clock,
    });
    const qids: unknown[] = [];
    for await (const v of client.kb.list({ ids: [6], details: "None" })) qids.push(v.QID);
    expect(qids).toEqual(["6"]);
    expect(sleeps).toEqual([42_000]);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.headers["X-Requested-With"]).toBeDefined();
  });

  it("with X-RateLimit-Remaining 0 it waits before the next call instead of provoking a 409", async () => {
    const kb =
      "<KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><DATETIME>x</DATETIME><ID_SET><ID>6</ID></ID_SET></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>";
    const { transport } = scripted([
      res(200, kb, {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-towait-sec": "7",
        "x-concurrency-limit-limit": "1",
      }),
      res(200, kb),
    ]);
    const { clock, sleeps } = fakeClock();
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "p" },
      transport,
      clock,
    });
    for await (const _ of client.kb.list({ ids: [6, 7], details: "None", batchSize: 1 })) {
      // drain
    }
    expect(sleeps).toEqual([7000]);
  });

  it("sends UTF-8 Basic credentials, so ':' and 'é' survive", async () => {
    const { transport, requests } = scripted([res(200, OK_WEBAPPS)]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password: "a:b:é" },
      transport,
    });
    await client.was.webApps.count();
    const header = requests[0]?.headers.Authorization ?? "";
    expect(Buffer.from(header.replace("Basic ", ""), "base64").toString("utf8")).toBe("u:a:b:é");
  });

  it("logs redacted events only", async () => {
    const events: ClientEvent[] = [];
    const { transport } = scripted([reset(), res(200, OK_WEBAPPS)]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "session", username: "u", password: "s3cret:é" },
      transport,
      clock: fakeClock().clock,
      log: (e) => events.push(e),
    });
    await client.was.webApps.count();
    const text = JSON.stringify(events);
    expect(text).not.toContain("s3cret");
    expect(events.map((e) => e.type)).toContain("retry");
  });
});
