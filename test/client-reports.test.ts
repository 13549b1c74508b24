/**
 * The client's saved-report calls: `was.report.search`/`count` against the simulator's saved reports, and
 * `was.report.downloadStream` (streamed from the socket) against the simulator and against a local server that
 * misbehaves on purpose (stalls, slow bodies, failures before and after the first byte, echoed secrets).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createQualysClient,
  QualysAbortError,
  QualysApiError,
  QualysError,
  QualysTimeoutError,
  type ReportSummary,
  withRequestScope,
} from "../packages/client/src/index.js";
import {
  HOSTILE_REPORT_TITLE,
  REPORT_TAGS,
  type RunningSimulator,
  startSimulator,
} from "../packages/simulator/src/index.js";

const DAY = 86_400_000;
const PASSWORD = "sim-password";
const auth = { kind: "basic" as const, username: "sim_user", password: PASSWORD };
const fastClock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(ms, 20));
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    }),
};

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ webapps: 6, findingsPerWebapp: 4, hosts: 1, kbSize: 300 });
});
afterAll(async () => {
  await sim.close();
});

function simClient(options: { pageSize?: number; timeoutMs?: number } = {}) {
  return createQualysClient({ apiUrl: sim.url, auth, clock: fastClock, ...options });
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Saved reports as the simulator holds them, in id order. */
function groundTruth(): {
  id: number;
  name: string;
  type: string;
  format: string;
  status: string;
  created: number;
  tagIds: number[];
}[] {
  return [...sim.control.world.reports.values()].map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    format: r.format,
    status: r.status,
    created: Date.parse(r.createdDate),
    tagIds: (r.tags ?? []).map((t) => t.id),
  }));
}

describe("was.report.search and count against the simulator", () => {
  it("pages through every match with the client's page size and returns typed summaries", async () => {
    const client = simClient({ pageSize: 5 });
    const found = await all(client.was.report.search({ nameContains: "ivanti" }));
    const expected = groundTruth().filter((r) => r.name.toLowerCase().includes("ivanti"));
    expect(found.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(found.length).toBeGreaterThan(5);
    expect(client.stats.requests).toBe(Math.ceil(found.length / 5));
    const first = found[0] as ReportSummary;
    expect(Object.keys(first).sort()).toEqual(["creationDate", "format", "id", "name", "status", "type"]);
    expect(first.creationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await client.was.report.count({ nameContains: "ivanti" })).toBe(found.length);
  });

  it("sends each criterion the documented way and gets exactly the matching reports", async () => {
    const client = simClient({ pageSize: 4 });
    const truth = groundTruth();
    const now = Date.now();
    const after = new Date(now - 180 * DAY).toISOString();
    const before = new Date(now - 30 * DAY).toISOString();
    // Filters carry whole seconds (docs/qualys-api.md 3.3).
    const seconds = (iso: string) => Date.parse(`${iso.slice(0, 19)}Z`);
    const ivantiTag = REPORT_TAGS.find((t) => t.name === "Ivanti")?.id ?? 0;
    const cases: [Parameters<typeof client.was.report.search>[0], (r: (typeof truth)[number]) => boolean][] =
      [
        [{ type: "WAS_SCAN_REPORT" }, (r) => r.type === "WAS_SCAN_REPORT"],
        [
          { status: "COMPLETE", type: "WAS_WEBAPP_REPORT", format: "XML" },
          (r) => r.status === "COMPLETE" && r.type === "WAS_WEBAPP_REPORT" && r.format === "XML",
        ],
        [{ status: "ERROR" }, (r) => r.status === "ERROR"],
        [{ format: "PDF" }, (r) => r.format === "PDF"],
        [{ createdAfter: after }, (r) => r.created > seconds(after)],
        [
          { createdAfter: after, createdBefore: before },
          (r) => r.created > seconds(after) && r.created < seconds(before),
        ],
        [{ name: HOSTILE_REPORT_TITLE }, (r) => r.name === HOSTILE_REPORT_TITLE],
        [
          { ids: [truth[2]?.id ?? 0, truth[7]?.id ?? 0] },
          (r) => r.id === truth[2]?.id || r.id === truth[7]?.id,
        ],
        [{ ids: [] }, () => false],
        [{ tagIds: [ivantiTag] }, (r) => r.tagIds.includes(ivantiTag)],
      ];
    for (const [criteria, matches] of cases) {
      const found = await all(client.was.report.search(criteria));
      const expected = truth.filter(matches).map((r) => r.id);
      expect(
        found.map((r) => r.id),
        JSON.stringify(criteria),
      ).toEqual(expected);
      expect(await client.was.report.count(criteria)).toBe(expected.length);
    }
  });

  it("refuses a date that is not ISO 8601 at once, naming the criterion", () => {
    const client = simClient();
    expect(() => client.was.report.search({ createdAfter: "last tuesday" })).toThrow(
      /createdAfter: "last tuesday" is not an ISO 8601 date/,
    );
  });
});

describe("was.report.downloadStream against the simulator", () => {
  it("streams the same file that download returns, with its name and type", async () => {
    const client = simClient();
    const [report] = await all(
      client.was.report.search({ status: "COMPLETE", format: "XML", type: "WAS_WEBAPP_REPORT" }),
    );
    const id = (report as ReportSummary).id;
    const whole = await client.was.report.download(id);
    const stream = await client.was.report.downloadStream(id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString("utf8")).toBe(whole.body);
    expect(stream.fileName).toBe(whole.fileName);
    expect(stream.fileName).toMatch(/\.xml$/);
    expect(stream.contentType).toBe("application/xml");
  });

  it("streams a 200 MB generated report with flat memory", async () => {
    const client = simClient();
    const { id } = sim.control.addGeneratedReport({ findings: 200, responseBytes: 750 * 1024 });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let total = 0;
    let tail = "";
    const stream = await client.was.report.downloadStream(id);
    for await (const chunk of stream.body) {
      total += chunk.length;
      tail = (tail + Buffer.from(chunk).toString("latin1")).slice(-100);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBeGreaterThan(200_000_000);
    expect(tail.trimEnd().endsWith("</WAS_WEBAPP_REPORT>")).toBe(true);
    // download() would hold the whole 200 MB body as a string; the stream holds a few chunks.
    expect(peak - baseline).toBeLessThan(80 * 1024 * 1024);
  });

  it("an error envelope instead of the file is the API's refusal (report not COMPLETE, unknown id)", async () => {
    const client = simClient();
    const [running] = await all(client.was.report.search({ status: "RUNNING" }));
    const error = await client.was.report
      .downloadStream((running as ReportSummary).id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysApiError);
    expect((error as QualysApiError).code).toBe("INVALID_REQUEST");
    expect((error as Error).message).toContain("RUNNING");
    const unknown = await client.was.report.downloadStream(3_999_999).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(QualysApiError);
    expect((unknown as QualysApiError).code).toBe("NOT_FOUND");
  });

  it("an abort mid-body ends the iteration with QualysAbortError and closes the connection", async () => {
    const client = simClient();
    const { id } = sim.control.addGeneratedReport({ findings: 400, responseBytes: 1024 * 1024 });
    const controller = new AbortController();
    const stream = await withRequestScope({ signal: controller.signal }, () =>
      client.was.report.downloadStream(id),
    );
    let received = 0;
    const error = await (async () => {
      for await (const chunk of stream.body) {
        received += chunk.length;
        if (received > 1_000_000) controller.abort("SIGTERM received");
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysAbortError);
    expect((error as Error).message).toContain("SIGTERM received");
    // Stopped long before the end of a 500 MB document.
    expect(received).toBeLessThan(50_000_000);
  });

  it("the hostile report arrives byte for byte (the client does not interpret the file)", async () => {
    const client = simClient();
    const [hostile] = await all(client.was.report.search({ name: HOSTILE_REPORT_TITLE }));
    const stream = await client.was.report.downloadStream((hostile as ReportSummary).id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toContain("##vso[");
    expect(text.trimEnd().endsWith("</WAS_WEBAPP_REPORT>")).toBe(true);
  });
});

describe("was.report.downloadStream against a misbehaving server (127.0.0.1)", () => {
  let server: Server;
  let base = "";
  const hits = new Map<string, number>();
  const open = new Set<ServerResponse>();

  const FILE_HEAD = `<?xml version="1.0" encoding="UTF-8" ?>\n<WAS_WEBAPP_REPORT>\n<!-- ${"report ".repeat(40)} -->\n`;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const route = (req.url ?? "").replace(/^\/qps\/rest\/3\.0\/download\/was\/report\//, "");
    hits.set(route, (hits.get(route) ?? 0) + 1);
    open.add(res);
    res.on("close", () => open.delete(res));
    const file = { "content-type": "application/xml", "content-disposition": 'attachment; filename="r.xml"' };
    switch (route) {
      case "1": // stalls after the first bytes
        res.writeHead(200, file);
        res.write(`${FILE_HEAD}${"<X/>".repeat(2000)}`);
        return;
      case "2": {
        // a body that flows for 1.2 s in 100 ms steps: longer than the request deadline, never idle
        res.writeHead(200, file);
        res.write(FILE_HEAD);
        let n = 0;
        const timer = setInterval(() => {
          n += 1;
          if (n > 12 || res.destroyed) {
            clearInterval(timer);
            res.end("</WAS_WEBAPP_REPORT>\n");
            return;
          }
          res.write(`<STEP>${n}</STEP>\n`);
        }, 100);
        return;
      }
      case "3": // headers, then nothing: the head never comes
        res.writeHead(200, file);
        return;
      case "4": // 503 first, then the file
        if ((hits.get(route) ?? 0) === 1) {
          res.writeHead(503, { "content-type": "text/html" });
          res.end("<html><body>Service Unavailable</body></html>");
          return;
        }
        res.writeHead(200, file);
        res.end(`${FILE_HEAD}</WAS_WEBAPP_REPORT>\n`);
        return;
      case "5": // the connection drops mid-body, after the caller has data
        res.writeHead(200, file);
        res.write(`${FILE_HEAD}${"<X/>".repeat(2000)}`, () => setTimeout(() => res.socket?.destroy(), 50));
        return;
      case "6": {
        // an error envelope that quotes the Authorization header back
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ServiceResponse><responseCode>INVALID_REQUEST</responseCode><responseErrorDetails><errorMessage>bad header ${req.headers.authorization ?? ""} password ${PASSWORD}</errorMessage></responseErrorDetails></ServiceResponse>`,
        );
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  }

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function localClient(options: { timeoutMs: number; maxRetries?: number }) {
    return createQualysClient({
      apiUrl: base,
      auth,
      clock: fastClock,
      timeoutMs: options.timeoutMs,
      retry: { maxRetries: options.maxRetries ?? 0 },
    });
  }

  it("a server that stalls mid-body ends the download after the idle timeout", async () => {
    const client = localClient({ timeoutMs: 60_000 });
    const stream = await client.was.report.downloadStream(1, { idleTimeoutMs: 400 });
    const started = Date.now();
    let received = 0;
    const error = await (async () => {
      for await (const chunk of stream.body) received += chunk.length;
    })().catch((e: unknown) => e);
    expect(received).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(QualysTimeoutError);
    // Ended by the 0.4 s idle bound, not by the 60 s request deadline.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hits.get("1")).toBe(1);
  });

  it("the request deadline bounds the head only: a body that keeps flowing may outlast it", async () => {
    const client = localClient({ timeoutMs: 600 });
    const stream = await client.was.report.downloadStream(2, { idleTimeoutMs: 2_000 });
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(Buffer.from(chunk));
    expect(Date.now() - started).toBeGreaterThan(600);
    const text = Buffer.concat(chunks).toString("utf8");
    expect(text).toContain("<STEP>12</STEP>");
    expect(text.trimEnd().endsWith("</WAS_WEBAPP_REPORT>")).toBe(true);
  });

  it("a head that never comes is a QualysTimeoutError within the request deadline", async () => {
    const client = localClient({ timeoutMs: 500 });
    const started = Date.now();
    await expect(client.was.report.downloadStream(3)).rejects.toBeInstanceOf(QualysTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("retries a failure before the first byte, never one after it", async () => {
    const client = localClient({ timeoutMs: 5_000, maxRetries: 3 });
    const stream = await client.was.report.downloadStream(4);
    const chunks: Buffer[] = [];
    for await (const chunk of stream.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString("utf8")).toContain("</WAS_WEBAPP_REPORT>");
    expect(hits.get("4")).toBe(2);
    expect(client.stats.retries).toBe(1);

    const dropping = await client.was.report.downloadStream(5);
    const error = await (async () => {
      for await (const _ of dropping.body) {
        // read on until the connection drops
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysError);
    expect(hits.get("5")).toBe(1);
  });

  it("secrets the server echoes never reach the error", async () => {
    const client = localClient({ timeoutMs: 5_000 });
    const error = await client.was.report.downloadStream(6).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysApiError);
    const basic = Buffer.from(`sim_user:${PASSWORD}`).toString("base64");
    const shown = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(shown).toContain("bad header");
    expect(shown).not.toContain(basic);
    expect(shown).not.toContain(PASSWORD);
  });
});
