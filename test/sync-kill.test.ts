/**
 * Resumability under SIGKILL: the real `qualys-connector sync`, killed at five random moments and re-run each
 * time, ends with the store equal to the simulator's ground truth and no duplicates.
 */

import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCliProcess } from "./cli-process.js";
import { openMigrated, sqliteKind } from "./sync-stores.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, webapps: 50, findingsPerWebapp: 400 });
});
afterAll(async () => {
  await sim?.close();
});

function sync(
  db: string,
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const { child, done } = startCliProcess(
    ["sync", "--api-url", sim.url, "--username", "sim_user", "--db", db],
    { env: { HOME: process.env.HOME ?? "", QUALYS_PASSWORD: "sim-password" } },
  );
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return done.finally(() => clearTimeout(timer));
}

/** A small seeded generator, so a failing run can be repeated with the same kill moments. */
function moments(seed: number, count: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 900 + (x % 3000);
  });
}

describe("sync killed with SIGKILL", () => {
  it("ends equal to the ground truth, with no duplicates, after five kills and re-runs", {
    // About 20 s of work on an idle machine; a generous bound keeps it passing on a busy one.
    timeout: 480_000,
  }, async () => {
    const db = await sqliteKind.create();
    const seed = Number(process.env.KILL_SEED ?? 20261201);
    const killedAt: number[] = [];
    for (const ms of moments(seed, 5)) {
      const run = await sync(db, ms);
      killedAt.push(ms);
      // Some runs finish before their kill; a killed one must have been killed by the signal, not have failed.
      expect(
        run.signal === "SIGKILL" || run.code === 0,
        `seed ${seed}, kill at ${ms} ms: ${run.stderr}`,
      ).toBe(true);
      sim.control.scanCycle(1);
    }
    const last = await sync(db);
    expect(last.code, last.stderr).toBe(0);

    const store = await openMigrated(db);
    try {
      const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as {
        uniqueId: string;
        status: string | null;
        isIgnored: boolean;
        lastDetectedDate: string | null;
      }[];
      const stored = new Map<
        string,
        { status: string | null; isIgnored: boolean; lastDetectedDate: string | null }
      >();
      let rows = 0;
      for await (const { record } of store.findings()) {
        rows += 1;
        stored.set(record.uid, {
          status: record.status ?? null,
          isIgnored: record.isIgnored,
          lastDetectedDate: record.lastDetectedDate ?? null,
        });
      }
      expect(rows, "no duplicate rows").toBe(stored.size);
      expect(stored.size).toBe(truth.length);
      for (const f of truth)
        expect(stored.get(f.uniqueId), `finding ${f.uniqueId} (kills at ${killedAt.join(", ")} ms)`).toEqual({
          status: f.status,
          isIgnored: f.isIgnored,
          lastDetectedDate: f.lastDetectedDate,
        });
      // Killed runs were closed as interrupted by the run after them; the last runs succeeded.
      const runs = await store.runs();
      expect(runs.some((r) => r.status === "interrupted" && r.endedAt !== undefined)).toBe(true);
      expect(runs.slice(-3).map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    } finally {
      await store.close();
    }
  });
});
