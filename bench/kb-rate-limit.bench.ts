/**
 * The client's rate limiting at a real setting: simulator `--rate-limit 10/60 --concurrency-limit 1`, a
 * KnowledgeBase listing of 2000 QIDs in batches of 100 (20 calls). Prints whether it was exact and how many
 * calls the simulator saw blocked or arriving during a wait it had announced (both must be 0). Takes about 60
 * s.
 */
import { createQualysClient } from "../packages/client/src/index.js";
import { startSimulator } from "../packages/simulator/src/index.js";

const sim = await startSimulator({
  webapps: 0,
  findingsPerWebapp: 0,
  hosts: 0,
  kbSize: 2000,
  rateLimit: { calls: 10, windowSec: 60 },
  concurrencyLimit: 1,
});
try {
  const truth = ((await (await fetch(`${sim.url}/__sim/ground-truth/kb`)).json()) as { qid: number }[]).map(
    (v) => v.qid,
  );
  const client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
  });
  const started = performance.now();
  const seen: number[] = [];
  for await (const v of client.kb.list({ ids: truth, details: "None", batchSize: 100 }))
    seen.push(Number(v.QID));
  const seconds = (performance.now() - started) / 1000;
  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
    total: number;
    limits: { blocked: number; callsDuringWait: number };
  };
  const exact = seen.length === truth.length && seen.every((q, i) => q === truth[i]);
  console.log(
    `KB listing of ${truth.length} QIDs at 10 calls/60 s, concurrency 1: ${exact ? "exact" : "NOT EXACT"} in ${seconds.toFixed(0)} s, ` +
      `${stats.total} calls, ${stats.limits.blocked} blocked (409), ${stats.limits.callsDuringWait} sent during an announced wait`,
  );
} finally {
  await sim.close();
}
