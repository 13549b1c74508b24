/**
 * Simulator throughput on findings search pages of 1000 verbose findings, in XML and JSON, against raw loopback
 * HTTP serving a body of the same size from memory (the ratio is the figure that survives a noisy machine).
 * Later sync benchmarks use it to show the simulator is not their bottleneck.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startSimulator } from "../packages/simulator/src/index.js";

const PAGES = Number(process.env.BENCH_PAGES ?? 40);
const auth = `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`;

async function timePages(
  url: string,
  accept: string,
): Promise<{ seconds: number; bytes: number; pages: number; records: number }> {
  let lastId = 0;
  let bytes = 0;
  let records = 0;
  const started = process.hrtime.bigint();
  for (let page = 0; page < PAGES; page++) {
    const body = `<ServiceRequest><preferences><limitResults>1000</limitResults><verbose>true</verbose></preferences><filters><Criteria field="id" operator="GREATER">${lastId}</Criteria></filters></ServiceRequest>`;
    const res = await fetch(`${url}/qps/rest/3.0/search/was/finding`, {
      method: "POST",
      headers: { Authorization: auth, "Content-Type": "text/xml", Accept: accept },
      body,
    });
    const text = await res.text();
    bytes += Buffer.byteLength(text);
    const more = accept.includes("json")
      ? (JSON.parse(text) as { ServiceResponse: { lastId?: number; count: number; hasMoreRecords?: string } })
          .ServiceResponse
      : {
          lastId: Number(/<lastId>(\d+)<\/lastId>/.exec(text)?.[1] ?? 0),
          count: Number(/<count>(\d+)<\/count>/.exec(text)?.[1] ?? 0),
          hasMoreRecords: /<hasMoreRecords>true/.test(text) ? "true" : "false",
        };
    records += Number(more.count);
    lastId = more.hasMoreRecords === "true" && more.lastId ? Number(more.lastId) : 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, bytes, pages: PAGES, records };
}

async function rawBaseline(bodySize: number): Promise<{ seconds: number; bytes: number }> {
  const payload = Buffer.alloc(bodySize, "x");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": String(payload.length) });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < PAGES; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x" });
    bytes += Buffer.byteLength(await res.text());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { seconds, bytes };
}

const sim = await startSimulator({ webapps: 50, findingsPerWebapp: 400, hosts: 0, kbSize: 2000 });
try {
  for (const [label, accept] of [
    ["XML", "application/xml"],
    ["JSON", "application/json"],
  ] as const) {
    await timePages(sim.url, accept); // warm-up pass
    const run = await timePages(sim.url, accept);
    const base = await rawBaseline(Math.round(run.bytes / run.pages));
    const pagesPerSec = run.pages / run.seconds;
    const mbPerSec = run.bytes / 1e6 / run.seconds;
    const rawMbPerSec = base.bytes / 1e6 / base.seconds;
    console.log(
      `simulator findings search ${label} (1000 verbose findings/page, ${(run.bytes / run.pages / 1e6).toFixed(2)} MB/page): ` +
        `${pagesPerSec.toFixed(1)} requests/s, ${(run.records / run.seconds).toFixed(0)} findings/s, ${mbPerSec.toFixed(1)} MB/s; ` +
        `raw loopback HTTP of the same size ${rawMbPerSec.toFixed(1)} MB/s; ratio ${(mbPerSec / rawMbPerSec).toFixed(2)}`,
    );
  }
} finally {
  await sim.close();
}
