/**
 * `--db` of `scan was`, `scan vm` and `evaluate`, end to end against the simulator: the verdict recorded in the
 * store (SQLite, and PostgreSQL with PG_URL) with its whole redacted result file; a bad location failing before
 * any API call; a store that refuses the row leaving the verdict and its exit code as they were; no `--db`, no
 * database touched.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { Store } from "@qualys-connector/store";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastLine, readOutputs, startCli, tempDir } from "./gate-e2e.js";
import { openMigrated, PG_SKIP_MESSAGE, PG_URL, STORE_KINDS, sqliteKind } from "./sync-stores.js";

if (!PG_URL) console.warn(PG_SKIP_MESSAGE);

let sim: RunningSimulator;
const env = () => ({ QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" });
const FAST = ["--poll-interval", "1s", "--timeout", "2m"];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 800 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
});

async function withStore<T>(location: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openMigrated(location);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The result.json on disk, as parsed JSON: what the recorded result_json must equal. */
const resultFile = (dir: string): unknown => JSON.parse(readFileSync(path.join(dir, "result.json"), "utf8"));

describe.each(STORE_KINDS)("scan was --db ($name)", (kind) => {
  afterAll(() => kind.cleanup());

  it("records a failed verdict with its criteria, counts and findings; the subscription is the API's", async () => {
    const location = await kind.create();
    const dir = tempDir("gate-runs-was-");
    // One QID of the web app excluded, so the recorded findings carry two dispositions.
    const webApps = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    const webAppId = webApps.find((w) => w.name === "scenario-vulnerable")?.id;
    const findings = (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as {
      webAppId: number;
      qid: number;
      type: string;
      severity: number | null;
    }[];
    const excluded = findings.find(
      (f) => f.webAppId === webAppId && f.type === "VULNERABILITY" && f.severity === 3,
    )?.qid;
    expect(excluded).toBeDefined();
    const run = await startCli(
      [
        ...["scan", "was", ...FAST, "--report-dir", dir, "--webapp", "scenario-vulnerable"],
        ...["--max-severity-count", "5=0", "--exclude-qids", String(excluded), "--db", location],
      ],
      env(),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run)).toMatch(/^failed: /);
    expect(run.stderr).toMatch(/recorded gate run 1 in /);
    const { result } = await readOutputs(dir);
    await withStore(location, async (store) => {
      const [subscription] = await store.subscriptions();
      expect(subscription?.username).toBe("sim_user");
      expect(subscription?.apiUrl.startsWith(sim.url)).toBe(true);
      const runs = await store.listGateRuns({ limit: 10 });
      expect(runs).toHaveLength(1);
      const summary = runs[0];
      expect(summary).toMatchObject({
        id: 1,
        subscriptionId: subscription?.id,
        command: "scan was",
        kind: "was",
        targetKey: result.scan?.target.id,
        targetName: "scenario-vulnerable",
        scanId: result.scan?.id,
        verdict: "failed",
        exitCode: 1,
        finishedAt: result.generatedAt,
        findingCount: result.findings.length,
        counts: Object.fromEntries(result.severityCounts.counted.map((n, i) => [String(i + 1), n])),
      });
      expect(Number(summary?.targetKey)).toBeGreaterThan(0);
      expect(Date.parse(summary?.startedAt ?? "")).toBeLessThanOrEqual(Date.parse(result.generatedAt));
      const row = await store.getGateRun(1);
      // The whole result file, as written to --report-dir.
      expect(JSON.parse(row?.resultJson ?? "{}")).toEqual(resultFile(dir));
      const stored = JSON.parse(row?.resultJson ?? "{}") as typeof result;
      expect(stored.criteria.find((c) => c.id === "severity-count-5")).toMatchObject({
        configured: "> 0",
        outcome: "fail",
      });
      expect(stored.criteria.find((c) => c.id === "severity-count-5")?.actual).toMatch(/^[1-9]\d*$/);
      const dispositions = new Set(stored.findings.map((f) => f.disposition));
      expect(dispositions).toEqual(new Set(["counted", "excluded"]));
    });
  });
});

describe("scan vm --db and evaluate --db", () => {
  it("records a VM run by its IPs and scan reference", async () => {
    const location = await sqliteKind.create();
    const dir = tempDir("gate-runs-vm-");
    const run = await startCli(
      ["scan", "vm", ...FAST, "--report-dir", dir, "--ip", "10.250.0.2", "--db", location],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const { result } = await readOutputs(dir);
    await withStore(location, async (store) => {
      const [summary] = await store.listGateRuns({ limit: 10, kind: "vm" });
      expect(summary).toMatchObject({
        command: "scan vm",
        kind: "vm",
        targetKey: "10.250.0.2",
        verdict: "passed",
        exitCode: 0,
        findingCount: result.findings.length,
      });
      expect(summary?.scanRef).toMatch(/^scan\/\d+\.\d+$/);
      expect(summary?.scanId).toBe(summary?.scanRef);
      expect(JSON.parse((await store.getGateRun(summary?.id ?? 0))?.resultJson ?? "{}")).toEqual(
        resultFile(dir),
      );
    });
  });

  it("evaluate records an offline run without a subscription; --db alone means QUALYS_DB", async () => {
    const saved = tempDir("gate-runs-saved-");
    const first = await startCli(
      ["scan", "was", ...FAST, "--report-dir", saved, "--webapp", "scenario-vulnerable"],
      env(),
    );
    expect(first.code, first.stderr).toBe(0);
    const location = await sqliteKind.create();
    const dir = tempDir("gate-runs-eval-");
    const run = await startCli(
      ["evaluate", path.join(saved, "result.json"), "--min-severity", "4", "--report-dir", dir, "--db"],
      { QUALYS_DB: location },
    );
    expect(run.code, run.stderr).toBe(1);
    await withStore(location, async (store) => {
      expect(await store.subscriptions()).toEqual([]);
      const [summary] = await store.listGateRuns({ limit: 10 });
      expect(summary).toMatchObject({
        subscriptionId: undefined,
        command: "evaluate",
        kind: "was",
        targetName: "scenario-vulnerable",
        verdict: "failed",
        exitCode: 1,
      });
      expect(JSON.parse((await store.getGateRun(summary?.id ?? 0))?.resultJson ?? "{}")).toEqual(
        resultFile(dir),
      );
    });
  });
});

describe("secrets", () => {
  it("a credential that shows up in the scan's data is masked in the recorded run, as in result.json", async () => {
    // The password is the web app's name, so the unmasked result would carry it in the target and the findings.
    const password = "scenario-vulnerable";
    const echoing = await startSimulator({ port: 0, scanDurationMs: 500, password });
    try {
      const location = await sqliteKind.create();
      const dir = tempDir("gate-runs-secret-");
      const run = await startCli(
        ["scan", "was", ...FAST, "--report-dir", dir, "--webapp", "scenario-vulnerable", "--db", location],
        { QUALYS_API_URL: echoing.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: password },
      );
      expect(run.code, run.stderr).toBe(0);
      await withStore(location, async (store) => {
        const [summary] = await store.listGateRuns({ limit: 1 });
        const row = await store.getGateRun(summary?.id ?? 0);
        expect(row?.resultJson).toContain("[REDACTED]");
        expect(row?.resultJson).not.toContain(password);
        expect(JSON.stringify(row)).not.toContain(password);
      });
    } finally {
      await echoing.close();
    }
  });
});

describe("--db problems", () => {
  it("a bad location fails with exit 3 before any API call, so no scan is launched", async () => {
    const dir = tempDir("gate-runs-bad-");
    for (const [gate, target] of [
      ["was", ["--webapp", "scenario-clean"]],
      ["vm", ["--ip", "10.250.0.2"]],
    ] as const) {
      const run = await startCli(
        [
          ...["scan", gate, ...FAST, ...target, "--report-dir", path.join(dir, gate)],
          ...["--db", `sqlite:${path.join(dir, "missing-dir", "nested", "x.db")}`],
        ],
        env(),
      );
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/^error: --db /m);
      expect(existsSync(path.join(dir, gate, "result.json"))).toBe(false);
    }
    const bad = await startCli(["scan", "was", ...FAST, "--webapp", "1", "--db", "mysql://db/x"], env());
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/^error: --db /m);
    expect(sim.control.stats().total).toBe(0);
  });

  it("a store that refuses the row: the verdict and its exit code stand, one error line names the store", async () => {
    const location = await sqliteKind.create();
    await withStore(location, async () => undefined);
    const sqlite = new BetterSqlite3(location.slice("sqlite:".length));
    sqlite.exec(
      "create trigger refuse before insert on gate_runs begin select raise(abort, 'disk quota reached'); end",
    );
    sqlite.close();
    const dir = tempDir("gate-runs-refused-");
    const run = await startCli(
      [
        ...["scan", "was", ...FAST, "--report-dir", dir, "--webapp", "scenario-vulnerable"],
        ...["--min-severity", "4", "--db", location],
      ],
      env(),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(lastLine(run)).toMatch(/^failed: /);
    expect(run.stderr).toContain(
      `error: could not record the run in ${location} (disk quota reached); the verdict stands`,
    );
    expect((await readOutputs(dir)).result.verdict).toBe("failed");
  });

  it("without --db no database is touched, even with QUALYS_DB set", async () => {
    const location = await sqliteKind.create();
    const dir = tempDir("gate-runs-none-");
    const run = await startCli(["scan", "was", ...FAST, "--report-dir", dir, "--webapp", "scenario-clean"], {
      ...env(),
      QUALYS_DB: location,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(location.slice("sqlite:".length))).toBe(false);
    expect(run.stderr).not.toContain("recorded gate run");
  });
});
