/**
 * Counts a sync records are exact per run: two syncs of one subscription at once (two connections to one
 * database) add each record once between them, a sync that cannot get the lock in time names the run holding
 * it, and a record an incremental run reads twice counts once. SQLite always, PostgreSQL with PG_URL.
 */

import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { Store, SyncRunRow } from "@qualys-connector/store";
import { runSync, type SyncOptions, type SyncReport } from "@qualys-connector/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCliProcess } from "./cli-process.js";
import { openMigrated, PG_SKIP_MESSAGE, PG_URL, STORE_KINDS, syncOptions } from "./sync-stores.js";

if (!PG_URL) console.warn(PG_SKIP_MESSAGE);

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webapps: 6, findingsPerWebapp: 150, kbSize: 400 });
});
afterAll(async () => {
  await sim?.close();
});

function options(extra: Partial<SyncOptions> = {}): SyncOptions {
  return syncOptions(sim.url, { pageSize: 50, ...extra });
}

function newClient(): QualysClient {
  return createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
  });
}

async function count(rows: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of rows) n += 1;
  return n;
}

/** `qualys-connector sync` in a child process, as two cron jobs that overlap would run it. */
function cliSync(db: string): Promise<{ code: number | null; stderr: string }> {
  return runCliProcess(["sync", "--api-url", sim.url, "--username", "sim_user", "--db", db], {
    env: { HOME: process.env.HOME ?? "", QUALYS_PASSWORD: "sim-password" },
  });
}

const stream = (report: SyncReport, name: string) => report.streams.find((s) => s.stream === name);

describe.each(STORE_KINDS)("concurrent syncs into $name", (kind) => {
  let location: string;
  const opened: Store[] = [];
  const clients: QualysClient[] = [];
  const open = async () => {
    const store = await openMigrated(location);
    opened.push(store);
    return store;
  };
  const client = () => {
    const c = newClient();
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    sim.control.reset();
    sim.control.setFaults({ rate: 0 });
    location = await kind.create();
    return async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(opened.splice(0).map((s) => s.close()));
    };
  });
  afterAll(() => kind.cleanup());

  it("two syncs at once add each record once between them, and each run's counts stay within what it read", async () => {
    const [storeA, storeB] = [await open(), await open()];
    const read = { a: 0, b: 0 };
    const reading = (who: "a" | "b") => (event: Parameters<NonNullable<SyncOptions["progress"]>>[0]) => {
      if (event.kind === "page" && event.stream === "findings") read[who] += event.records;
    };
    const [a, b] = await Promise.all([
      runSync(client(), storeA, options({ progress: reading("a") })),
      runSync(client(), storeB, options({ progress: reading("b") })),
    ]);
    expect([...a.streams, ...b.streams].map((s) => `${s.stream} ${s.status} ${s.error ?? ""}`)).toEqual([
      "webapps succeeded ",
      "findings succeeded ",
      "definitions succeeded ",
      "webapps succeeded ",
      "findings succeeded ",
      "definitions succeeded ",
    ]);
    const subscriptionId = a.subscriptionId;
    const stored = {
      webapps: await count(storeA.applications({ subscriptionId })),
      findings: await count(storeA.findings({ subscriptionId })),
      definitions: await count(storeA.definitions({ subscriptionId })),
    };
    expect(stored.findings).toBeGreaterThan(800);
    for (const name of ["webapps", "findings", "definitions"] as const)
      expect((stream(a, name)?.added ?? 0) + (stream(b, name)?.added ?? 0), name).toBe(stored[name]);
    for (const [report, rows] of [
      [a, read.a],
      [b, read.b],
    ] as const) {
      const findings = stream(report, "findings");
      expect(
        (findings?.added ?? 0) + (findings?.updated ?? 0) + (findings?.unchanged ?? 0),
      ).toBeLessThanOrEqual(rows);
    }
    // sync_runs holds the same exact counts, and neither run closed the other as interrupted.
    const runs: SyncRunRow[] = await storeA.runs(subscriptionId);
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill("succeeded"));
    const added = (stream: string) =>
      runs.filter((r) => r.stream === stream).reduce((n, r) => n + r.added, 0);
    expect(added("findings")).toBe(stored.findings);
    expect(added("webapps")).toBe(stored.webapps);
  });

  it("two sync processes at once both succeed, and sync_runs adds each record once between them", {
    timeout: 60_000,
  }, async () => {
    const [a, b] = await Promise.all([cliSync(location), cliSync(location)]);
    expect(a.stderr).not.toContain("locked");
    expect(b.stderr).not.toContain("locked");
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const store = await open();
    const [subscription] = await store.subscriptions();
    const subscriptionId = subscription?.id ?? 0;
    const runs = await store.runs(subscriptionId);
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill("succeeded"));
    const added = (name: string) => runs.filter((r) => r.stream === name).reduce((n, r) => n + r.added, 0);
    expect(added("findings")).toBe(await count(store.findings({ subscriptionId })));
    expect(added("webapps")).toBe(await count(store.applications({ subscriptionId })));
    expect(added("definitions")).toBe(await count(store.definitions({ subscriptionId })));
  });

  it("a sync that cannot take the lock in time fails naming the run that holds it", async () => {
    const [holder, waiter] = [await open(), await open()];
    const subscriptionId = await holder.subscription({ apiUrl: sim.url, username: "sim_user" });
    const lock = await holder.lockSync(subscriptionId, { waitMs: 0 });
    const runId = await holder.startRun(
      subscriptionId,
      "findings",
      "incremental",
      "2026-12-01T10:00:00.000Z",
    );
    try {
      await expect(runSync(client(), waiter, options({ lockWaitMs: 300 }))).rejects.toThrow(
        `another sync (run ${runId}, started at 2026-12-01T10:00:00.000Z) holds ${
          kind.name === "sqlite" ? "the database" : "this subscription"
        }`,
      );
    } finally {
      await lock.release();
    }
    // Released, the lock is free again at once, and the waiting side's run closes the killed-looking run.
    const report = await runSync(client(), waiter, options({ lockWaitMs: 0, objects: ["webapps"] }));
    expect(report.streams[0]?.status).toBe("succeeded");
  });

  it("a finding read by both passes of an incremental run counts once", async () => {
    const store = await open();
    const uids: string[] = [];
    const watched: Store = Object.create(store, {
      transaction: {
        value: <T>(work: (tx: Store) => Promise<T>): Promise<T> =>
          store.transaction((tx) =>
            work(
              Object.create(tx, {
                upsertFindings: {
                  value: (
                    records: Parameters<Store["upsertFindings"]>[0],
                    ctx: Parameters<Store["upsertFindings"]>[1],
                  ) => {
                    uids.push(...records.map((r) => r.uid));
                    return tx.upsertFindings(records, ctx);
                  },
                },
              }) as Store,
            ),
          ),
      },
    });
    await runSync(client(), watched, options({ objects: ["findings"] }));
    // Ignored in the portal right after a scan tested them: both the tested and the ignored pass return them.
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const touched = [...sim.control.world.findings.values()]
      .filter((f) => f.type === "VULNERABILITY" && !f.isIgnored)
      .slice(0, 7);
    for (const f of touched) {
      f.lastTestedDate = now;
      f.isIgnored = true;
      f.ignoredReason = "RISK_ACCEPTED";
      f.ignoredDate = now;
      f.updatedDate = now;
    }
    uids.length = 0;
    const report = await runSync(client(), watched, options({ objects: ["findings"] }));
    const findings = stream(report, "findings");
    expect(findings?.status).toBe("succeeded");
    const distinct = new Set(uids);
    // The run did read some findings twice…
    expect(uids.length).toBeGreaterThan(distinct.size);
    for (const f of touched) expect(distinct.has(f.uniqueId)).toBe(true);
    // …and counted each once: the touched ones as updated, the others the overlap window re-read as unchanged.
    expect((findings?.added ?? 0) + (findings?.updated ?? 0) + (findings?.unchanged ?? 0)).toBe(
      distinct.size,
    );
    expect(findings?.updated).toBe(touched.length);
  });
});
