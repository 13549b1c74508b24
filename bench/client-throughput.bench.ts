/**
 * Client figures, each against a baseline in the same run:
 * - verbose findings pages of 1000 from a simulator in a child process: records/s through the client (transport,
 *   limiter, envelope parsing) vs raw fetch of the same pages, and the client's CPU time per 1000 records;
 * - listing web apps at fault rate 0.3: retries needed for an exact result.
 */
import { createQualysClient } from "../packages/client/src/index.js";
import { startSimulator } from "../packages/simulator/src/index.js";
import { childSimulator } from "./child-simulator.js";

const sim = await childSimulator(["--webapps", "50", "--findings-per-webapp", "400", "--hosts", "0"]);
try {
  const auth = { kind: "basic" as const, username: "sim_user", password: "sim-password" };
  const client = createQualysClient({ apiUrl: sim.url, auth, pageSize: 1000 });
  // Warm up both paths once.
  for await (const _ of client.was.findings.search({ verbose: true, pageSize: 1000 })) break;

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let records = 0;
  for await (const _ of client.was.findings.search({ verbose: true })) records++;
  const clientSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPer1000 = (cpu.user + cpu.system) / 1000 / (records / 1000);

  const basic = `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`;
  const t1 = performance.now();
  let rawRecords = 0;
  let lastId = 0;
  for (;;) {
    const res = await fetch(`${sim.url}/qps/rest/3.0/search/was/finding`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "text/xml", Accept: "application/json" },
      body: `<ServiceRequest><preferences><limitResults>1000</limitResults><verbose>true</verbose></preferences><filters><Criteria field="id" operator="GREATER">${lastId}</Criteria></filters></ServiceRequest>`,
    });
    const page = (
      JSON.parse(await res.text()) as {
        ServiceResponse: { count: number; hasMoreRecords?: string; lastId?: number };
      }
    ).ServiceResponse;
    rawRecords += Number(page.count);
    lastId = Number(page.lastId ?? 0);
    if (String(page.hasMoreRecords) !== "true") break;
  }
  const rawSec = (performance.now() - t1) / 1000;
  console.log(
    `client verbose findings (pages of 1000, simulator in a child process): ${(records / clientSec).toFixed(0)} records/s ` +
      `vs raw fetch + JSON.parse of the same pages ${(rawRecords / rawSec).toFixed(0)} records/s; ratio ${(records / clientSec / (rawRecords / rawSec)).toFixed(2)}; ` +
      `client CPU ${cpuMsPer1000.toFixed(1)} ms per 1000 records (${records} records)`,
  );
} finally {
  await sim.stop();
}

const faulty = await startSimulator({
  webapps: 100,
  findingsPerWebapp: 1,
  hosts: 0,
  kbSize: 200,
  faultRate: 0.3,
});
try {
  const truth = (
    (await (await fetch(`${faulty.url}/__sim/ground-truth/webapps`)).json()) as { id: number }[]
  ).map((w) => w.id);
  const client = createQualysClient({
    apiUrl: faulty.url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    maxRetries: 10,
    pageSize: 10,
    timeoutMs: 10_000,
  });
  const ids: number[] = [];
  for await (const w of client.was.webApps.search()) ids.push(Number(w.id));
  const exact = ids.length === truth.length && ids.every((id, i) => id === truth[i]);
  const stats = (await (await fetch(`${faulty.url}/__sim/stats`)).json()) as { total: number };
  console.log(
    `client web app listing at fault rate 0.3 (all fault kinds, pages of 10): ${exact ? "exact" : "NOT EXACT"}, ` +
      `${ids.length} web apps, ${client.stats.retries} retries and ${client.stats.limitWaits} limit waits over ${stats.total} calls`,
  );
} finally {
  await faulty.close();
}
