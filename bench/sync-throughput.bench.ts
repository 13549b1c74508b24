/**
 * Sync throughput against the latency bound: every call to the simulator takes 200 ms (its response
 * time, its own work included) and at most 2 WAS calls run at once (`--latency 200ms --concurrency-limit 2
 * --limits-on-was`), so no client can read more than concurrency x page size / latency = 2 x 100 / 0.2 s = 1000
 * records/s. The figure is records/s divided by that bound (target at least 0.9), measured for the parallel
 * findings read of a first run over the sync tests' data set (50 web apps of 400 findings) and, in the same run,
 * for one sequential search (concurrency 1), whose bound is half.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createQualysClient } from "../packages/client/src/index.js";
import { openStore } from "../packages/store/src/index.js";
import { runSync } from "../packages/sync/src/index.js";
import { callOverheadMs, throughputSimulator } from "./child-simulator.js";

const LATENCY_MS = 200;
const CONCURRENCY = 2;
const PAGE = 100;
const TARGET = 0.9;

// The simulator runs in its own process, as `qualys-connector sim` would: its rendering must not share this
// process's event loop, or the bench would measure the simulator's CPU instead of the sync.
const sim = await throughputSimulator(LATENCY_MS, CONCURRENCY);
const url = sim.url;
const dir = mkdtempSync(path.join(tmpdir(), "qc-bench-throughput-"));
try {
  const perCallMs = await callOverheadMs(url, LATENCY_MS, PAGE);
  console.log(
    `sync throughput: a call for a page of ${PAGE} verbose findings takes ${perCallMs.toFixed(0)} ms beyond the ${LATENCY_MS} ms latency`,
  );
  for (const concurrency of [CONCURRENCY, 1]) {
    const client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_user", password: "sim-password" },
      concurrency,
    });
    const store = await openStore(`sqlite:${path.join(dir, `c${concurrency}.db`)}`);
    await store.migrate();
    const t0 = performance.now();
    const report = await runSync(client, store, {
      subscription: { apiUrl: sim.url, username: "sim_user" },
      objects: ["findings"],
      full: true,
      filters: {},
      pageSize: PAGE,
      concurrency,
    });
    const seconds = (performance.now() - t0) / 1000;
    const findings = report.streams[0];
    if (findings?.status !== "succeeded") throw new Error(`sync failed: ${findings?.error ?? "no report"}`);
    const rate = findings.added / seconds;
    const bound = (concurrency * PAGE) / (LATENCY_MS / 1000);
    const ratio = rate / bound;
    console.log(
      `sync throughput, concurrency ${concurrency}, ${LATENCY_MS} ms latency, pages of ${PAGE}: ` +
        `${findings.added} findings in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} records/s; ` +
        `bound ${bound.toFixed(0)} records/s; ratio ${ratio.toFixed(2)}` +
        (concurrency === CONCURRENCY
          ? ` (target >= ${TARGET}: ${ratio >= TARGET ? "met" : "NOT met"})`
          : "") +
        `; ${findings.apiCalls} API calls; ratio to the bound counting the measured time per call: ` +
        `${(rate / ((concurrency * PAGE) / ((LATENCY_MS + perCallMs) / 1000))).toFixed(2)}`,
    );
    await store.close();
    await client.close();
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
