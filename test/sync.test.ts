/**
 * The WAS data sync end to end, on SQLite and (with PG_URL) PostgreSQL, against the simulator with 50 web apps of
 * 400 findings: the store equals the simulator's ground truth after a first sync, after more scans and an
 * incremental sync, under 20% faults, after interruptions, and a `--full` run marks what vanished.
 */

import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { Store } from "@qualys-connector/store";
import { runSync, type SyncOptions } from "@qualys-connector/sync";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openMigrated, PG_SKIP_MESSAGE, PG_URL, STORE_KINDS, syncOptions } from "./sync-stores.js";

if (!PG_URL) console.warn(PG_SKIP_MESSAGE);

interface TruthFinding {
  id: number;
  uniqueId: string;
  webAppId: number;
  qid: number;
  type: string;
  status: string | null;
  severity: number;
  isIgnored: boolean;
  lastDetectedDate: string | null;
}

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webapps: 50, findingsPerWebapp: 400 });
});
afterAll(async () => {
  await sim?.close();
});

async function truth<T>(what: "webapps" | "findings" | "kb"): Promise<T[]> {
  return (await (await fetch(`${sim.url}/__sim/ground-truth/${what}`)).json()) as T[];
}

/** The store's findings and web apps, in the ground truth's shape, sorted. */
async function storedFindings(store: Store, subscriptionId: number) {
  const out: TruthFinding[] = [];
  for await (const { record: f } of store.findings({ subscriptionId }))
    out.push({
      id: f.id,
      uniqueId: f.uid,
      webAppId: f.webAppId,
      qid: f.qid,
      type: f.type,
      status: f.status ?? null,
      severity: f.severity ?? 0,
      isIgnored: f.isIgnored,
      lastDetectedDate: f.lastDetectedDate ?? null,
    });
  return out.sort((a, b) => a.id - b.id);
}

async function expectEqualToTruth(store: Store, subscriptionId: number): Promise<void> {
  const findings = (await truth<TruthFinding & { updatedDate: string }>("findings"))
    .map(({ updatedDate: _u, ...f }) => f)
    .sort((a, b) => a.id - b.id);
  expect(await storedFindings(store, subscriptionId)).toEqual(findings);
  const webApps = (await truth<{ id: number; name: string; updatedDate: string }>("webapps")).sort(
    (a, b) => a.id - b.id,
  );
  const stored: { id: number; name: string; updatedDate: string | undefined }[] = [];
  for await (const { record } of store.applications({ subscriptionId }))
    stored.push({ id: record.id, name: record.name, updatedDate: record.updatedDate });
  expect(stored.sort((a, b) => a.id - b.id)).toEqual(webApps);
  // Definitions: exactly the QIDs the findings reference, each as current as the KnowledgeBase.
  const kb = new Map(
    (await truth<{ qid: number; lastServiceModificationDate: string }>("kb")).map((k) => [k.qid, k]),
  );
  const defs: { qid: number; modified: string | undefined }[] = [];
  for await (const { record } of store.definitions({ subscriptionId }))
    defs.push({ qid: record.qid, modified: record.lastServiceModificationDate });
  expect(defs.map((d) => d.qid).sort((a, b) => a - b)).toEqual(
    [...new Set(findings.map((f) => f.qid))].sort((a, b) => a - b),
  );
  for (const d of defs) expect(d.modified).toBe(kb.get(d.qid)?.lastServiceModificationDate);
}

function options(extra: Partial<SyncOptions> = {}): SyncOptions {
  return syncOptions(sim.url, extra);
}

const calls = (report: Awaited<ReturnType<typeof runSync>>) =>
  report.streams.reduce((n, s) => n + s.apiCalls, 0);

describe.each(STORE_KINDS)("sync into $name", (kind) => {
  let client: QualysClient;
  let store: Store;

  beforeEach(async () => {
    sim.control.reset();
    sim.control.setFaults({ rate: 0 });
    client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    });
    store = await openMigrated(await kind.create());
    return async () => {
      await client.close();
      await store.close();
    };
  });
  afterAll(() => kind.cleanup());

  it("a first sync equals the ground truth; an incremental run after more scans equals it again", async () => {
    const first = await runSync(client, store, options());
    expect(first.streams.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    await expectEqualToTruth(store, first.subscriptionId);

    const nothing = await runSync(client, store, options());
    expect(nothing.streams.reduce((n, s) => n + s.added + s.updated, 0)).toBe(0);
    // A run with nothing changed costs a handful of calls, not a re-pull (the data sync's budget: at most
    // 5%).
    expect(calls(nothing) / calls(first)).toBeLessThanOrEqual(0.05);

    sim.control.scanCycle(2);
    const after = await runSync(client, store, options());
    expect(after.streams.find((s) => s.stream === "findings")?.updated).toBeGreaterThan(0);
    await expectEqualToTruth(store, after.subscriptionId);
    // Status changes were recorded in the history.
    const changes = await store.findingChanges(after.subscriptionId);
    expect(changes.some((c) => c.status.to === "FIXED")).toBe(true);
  });

  it("ends equal with 20% of API calls failing", { timeout: 180_000 }, async () => {
    sim.control.setFaults({ rate: 0.2, kinds: ["500", "503", "reset", "html", "malformed", "409"] });
    // Short backoffs keep the test quick; the retry decisions are the same as in production.
    const retrying = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_user", password: "sim-password" },
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      maxRetries: 8,
    });
    const report = await runSync(retrying, store, options());
    sim.control.scanCycle(1);
    const again = await runSync(retrying, store, options());
    sim.control.setFaults({ rate: 0 });
    await retrying.close();
    expect([...report.streams, ...again.streams].every((s) => s.status === "succeeded")).toBe(true);
    expect(report.streams.reduce((n, s) => n + s.retries, 0)).toBeGreaterThan(0);
    await expectEqualToTruth(store, again.subscriptionId);
  });

  it("an interrupted run resumes from its last committed page, with nothing lost or duplicated", async () => {
    const controller = new AbortController();
    let pages = 0;
    let committed = 0;
    const interrupted = await runSync(
      client,
      store,
      options({
        signal: controller.signal,
        progress: (event) => {
          if (event.kind !== "page" || event.stream !== "findings") return;
          committed += event.records;
          if (++pages === 37) controller.abort();
        },
      }),
    );
    expect(interrupted.streams.find((s) => s.stream === "findings")?.status).toBe("interrupted");
    const state = await store.getState(interrupted.subscriptionId, "findings");
    expect(state?.checkpoint).toMatchObject({ pass: "all" });
    const resumed = await runSync(client, store, options());
    expect(resumed.streams.every((s) => s.status === "succeeded")).toBe(true);
    // The resumed run read only what was left: no page was read twice.
    const findings = resumed.streams.find((s) => s.stream === "findings");
    expect((findings?.added ?? 0) + committed).toBe((await truth("findings")).length);
    await expectEqualToTruth(store, resumed.subscriptionId);
  });

  it("a database slower than the API holds the parallel read back: pages never pile up uncommitted", async () => {
    // Every commit takes 15 ms longer than it needs while the simulator answers at once: without backpressure
    // the two readers would fetch all 200 pages long before they were written.
    const slow: Store = Object.create(store, {
      transaction: {
        value: async <T>(work: (tx: Store) => Promise<T>): Promise<T> => {
          await new Promise((resolve) => setTimeout(resolve, 15));
          return store.transaction(work);
        },
      },
    });
    let committed = 0;
    let worst = 0;
    const report = await runSync(
      client,
      slow,
      options({
        objects: ["findings"],
        concurrency: 2,
        progress: (event) => {
          if (event.kind !== "page") return;
          committed += 1;
          // Calls beyond the pages committed: the web app list and count, then at most a page per worker
          // waiting for its commit, one queued past the limit, and one prefetched per search.
          worst = Math.max(worst, event.apiCalls - committed);
        },
      }),
    );
    expect(report.streams[0]?.status).toBe("succeeded");
    expect(committed).toBeGreaterThan(150);
    expect(worst).toBeLessThanOrEqual(8);
    await expect(storedFindings(store, report.subscriptionId)).resolves.toHaveLength(
      (await truth("findings")).length,
    );
  });

  it("--full re-reads everything and marks what vanished from Qualys", async () => {
    await runSync(client, store, options());
    const gone = [...sim.control.world.findings.values()].slice(0, 3);
    for (const f of gone) sim.control.world.findings.delete(f.id);
    const full = await runSync(client, store, options({ full: true }));
    const findings = full.streams.find((s) => s.stream === "findings");
    expect(findings).toMatchObject({ mode: "full", vanished: 3, added: 0 });
    await expectEqualToTruth(store, full.subscriptionId);
    const all: string[] = [];
    for await (const row of store.findings({ subscriptionId: full.subscriptionId, includeVanished: true }))
      if (row.vanishedAt) all.push(row.record.uid);
    expect(all.sort()).toEqual(gone.map((f) => f.uniqueId).sort());
  });

  it("filters: severity, status and web app ids", async () => {
    const webApp = [...sim.control.world.webApps.values()].find((w) => w.name === "scenario-vulnerable");
    const report = await runSync(
      client,
      store,
      options({
        filters: { severity: [4, 5], status: ["NEW", "ACTIVE", "REOPENED"], webAppIds: [webApp?.id ?? 0] },
      }),
    );
    const stored = await storedFindings(store, report.subscriptionId);
    const expected = (await truth<TruthFinding>("findings")).filter(
      (f) =>
        f.webAppId === webApp?.id &&
        f.severity >= 4 &&
        ["NEW", "ACTIVE", "REOPENED"].includes(f.status ?? ""),
    );
    expect(stored.map((f) => f.id).sort()).toEqual(expected.map((f) => f.id).sort());
    // A filtered sync keeps its own cursor: a later unfiltered sync still reads everything it left out.
    const everything = await runSync(client, store, options());
    await expectEqualToTruth(store, everything.subscriptionId);
  });

  it("two subscriptions share one database without mixing", async () => {
    const a = await runSync(client, store, options());
    const other = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_was_only", password: "sim-password" },
    });
    const b = await runSync(
      other,
      store,
      options({ subscription: { apiUrl: sim.url, username: "sim_was_only" }, objects: ["webapps"] }),
    );
    await other.close();
    expect(b.subscriptionId).not.toBe(a.subscriptionId);
    let countA = 0;
    for await (const _ of store.applications({ subscriptionId: a.subscriptionId })) countA++;
    let countB = 0;
    for await (const _ of store.applications({ subscriptionId: b.subscriptionId })) countB++;
    expect(countB).toBe(countA);
    expect(await store.runs(b.subscriptionId)).toHaveLength(1);
  });
});
