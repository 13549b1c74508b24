/**
 * Airbyte `read` throughput against the latency bound, as bench/sync-throughput measures the store sync: every
 * call to the simulator takes 200 ms and at most 2 WAS calls run at once, so no reader can pass
 * concurrency x page size / latency = 2 x 100 / 0.2 s = 1000 records/s. The figure is the findings stream's
 * records/s (RECORD messages serialized, as on stdout) divided by that bound (target at least 0.9), over the same
 * data set (50 web apps of 400 findings), for a full refresh with concurrency 2 and, in the same run, 1.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runAirbyte } from "../packages/sync/src/index.js";
import { callOverheadMs, throughputSimulator } from "./child-simulator.js";

const LATENCY_MS = 200;
const CONCURRENCY = 2;
const PAGE = 100;
const TARGET = 0.9;

// In its own process, as in bench/sync-throughput: the simulator's rendering must not share this event loop.
const sim = await throughputSimulator(LATENCY_MS, CONCURRENCY);
const dir = mkdtempSync(path.join(tmpdir(), "qc-bench-airbyte-"));
try {
  const perCallMs = await callOverheadMs(sim.url, LATENCY_MS, PAGE);
  console.log(
    `airbyte throughput: a call for a page of ${PAGE} verbose findings takes ${perCallMs.toFixed(0)} ms beyond the ${LATENCY_MS} ms latency`,
  );
  const catalog = path.join(dir, "catalog.json");
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: [
        {
          stream: {
            name: "findings",
            json_schema: {},
            supported_sync_modes: ["full_refresh", "incremental"],
          },
          sync_mode: "full_refresh",
          destination_sync_mode: "overwrite",
        },
      ],
    }),
  );
  for (const concurrency of [CONCURRENCY, 1]) {
    const config = path.join(dir, `config-${concurrency}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        api_url: sim.url,
        username: "sim_user",
        password: "sim-password",
        page_size: PAGE,
        concurrency,
      }),
    );
    let records = 0;
    let states = 0;
    let bytes = 0;
    let error: string | undefined;
    const t0 = performance.now();
    const outcome = await runAirbyte(
      "read",
      { config, catalog },
      {
        write: (line) => {
          bytes += line.length + 1;
          if (line.startsWith('{"type":"RECORD"')) records += 1;
          else if (line.startsWith('{"type":"STATE"')) states += 1;
          else if (line.includes('"type":"ERROR"')) error = line;
        },
        now: Date.now,
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (outcome !== "succeeded") throw new Error(`airbyte read failed: ${error ?? outcome}`);
    const rate = records / seconds;
    const bound = (concurrency * PAGE) / (LATENCY_MS / 1000);
    const ratio = rate / bound;
    console.log(
      `airbyte throughput, concurrency ${concurrency}, ${LATENCY_MS} ms latency, pages of ${PAGE}: ` +
        `${records} findings in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} records/s; ` +
        `bound ${bound.toFixed(0)} records/s; ratio ${ratio.toFixed(2)}` +
        (concurrency === CONCURRENCY
          ? ` (target >= ${TARGET}: ${ratio >= TARGET ? "met" : "NOT met"})`
          : "") +
        `; ${states} STATE messages, ${(bytes / 1e6).toFixed(1)} MB of messages; ratio to the bound counting the ` +
        `measured time per call: ${(rate / ((concurrency * PAGE) / ((LATENCY_MS + perCallMs) / 1000))).toFixed(2)}`,
    );
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
