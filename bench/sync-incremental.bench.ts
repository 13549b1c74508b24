/**
 * Incremental sync cost, against a full first sync in the same run (simulator in-process, 50 web apps x 400
 * findings, zero latency, a SQLite store in a temp dir, pages of 100 as the CLI's default):
 * - an incremental sync with nothing changed: API calls and their ratio to the full run (target <= 0.05);
 * - an incremental sync after one scan cycle: API calls, findings updated, and the ratio to the full run.
 * Each line also gives the run's wall time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createQualysClient } from "../packages/client/src/index.js";
import { startSimulator } from "../packages/simulator/src/index.js";
import { openStore } from "../packages/store/src/index.js";
import { runSync, type SyncOptions, type SyncReport } from "../packages/sync/src/index.js";

/** The data sync's budget: a run with nothing changed costs at most 5% of a full run's API calls. */
const TARGET_NOTHING_CHANGED = 0.05;

const sim = await startSimulator({ port: 0, webapps: 50, findingsPerWebapp: 400, hosts: 0, latencyMs: 0 });
const dir = mkdtempSync(path.join(tmpdir(), "qc-bench-sync-"));
try {
  const client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
  });
  const store = await openStore(`sqlite:${path.join(dir, "qualys.db")}`);
  try {
    await store.migrate();
    const options = (full: boolean): SyncOptions => ({
      subscription: { apiUrl: sim.url, username: "sim_user" },
      objects: ["webapps", "findings", "definitions"],
      full,
      filters: {},
      pageSize: 100,
    });
    const timed = async (full: boolean): Promise<{ report: SyncReport; seconds: number }> => {
      const t0 = performance.now();
      const report = await runSync(client, store, options(full));
      const seconds = (performance.now() - t0) / 1000;
      const failed = report.streams.filter((s) => s.status !== "succeeded");
      if (failed.length > 0)
        throw new Error(
          `sync failed: ${failed.map((s) => `${s.stream} ${s.status} ${s.error ?? ""}`).join("; ")}`,
        );
      return { report, seconds };
    };
    const sum = (report: SyncReport, field: "apiCalls" | "added" | "updated") =>
      report.streams.reduce((n, s) => n + s[field], 0);
    const findingsOf = (report: SyncReport, field: "added" | "updated") =>
      report.streams.find((s) => s.stream === "findings")?.[field] ?? 0;

    const full = await timed(true);
    const fullCalls = sum(full.report, "apiCalls");
    console.log(
      `sync full first run (50 web apps x 400 findings, pages of 100, SQLite): ${fullCalls} API calls, ` +
        `${findingsOf(full.report, "added")} findings added, ${full.seconds.toFixed(2)} s`,
    );

    const nothing = await timed(false);
    const nothingCalls = sum(nothing.report, "apiCalls");
    const nothingRatio = nothingCalls / fullCalls;
    console.log(
      `sync incremental, nothing changed: ${nothingCalls} API calls vs ${fullCalls} for the full run; ` +
        `ratio ${nothingRatio.toFixed(3)} (target <= ${TARGET_NOTHING_CHANGED}: ${nothingRatio <= TARGET_NOTHING_CHANGED ? "met" : "NOT MET"}); ` +
        `${sum(nothing.report, "added") + sum(nothing.report, "updated")} records added or updated, ${nothing.seconds.toFixed(2)} s`,
    );

    sim.control.scanCycle(1);
    const after = await timed(false);
    const afterCalls = sum(after.report, "apiCalls");
    console.log(
      `sync incremental after one scan cycle: ${afterCalls} API calls vs ${fullCalls} for the full run; ` +
        `ratio ${(afterCalls / fullCalls).toFixed(3)}; ${findingsOf(after.report, "updated")} findings updated ` +
        `(${sum(after.report, "updated")} records updated in all, ${sum(after.report, "added")} added), ${after.seconds.toFixed(2)} s`,
    );
  } finally {
    await client.close();
    await store.close();
  }
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
