/**
 * `qualys-connector pull-reports` end to end against the simulator's saved reports: a title prefix and a window
 * choose exactly the COMPLETE XML web app reports they describe, a second run imports nothing new, `--create`
 * creates one report across a killed run and its retry and deletes it afterwards, and the hostile report leaves
 * no raw control character and no CI workflow command in anything the command prints.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore } from "@qualys-connector/store";
import { createdReportName } from "@qualys-connector/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess, startCliProcess } from "./cli-process.js";
import { PG_SKIP_MESSAGE, PG_URL, STORE_KINDS } from "./sync-stores.js";
import { unsafeOutput } from "./unsafe-output.js";

if (!PG_URL) console.warn(PG_SKIP_MESSAGE);

let sim: RunningSimulator;
beforeAll(async () => {
  // Reports take 1.5 s to generate: time for the --create test to stop a run while it waits.
  sim = await startSimulator({ port: 0, webapps: 4, findingsPerWebapp: 8, reportDurationMs: 1500 });
});
afterAll(async () => {
  await sim?.close();
});

const DAY = 86_400_000;

function pull(db: string, ...args: string[]) {
  return runCliProcess(
    ["pull-reports", "--db", db, "--api-url", sim.url, "--username", sim.credentials.username, ...args],
    { env: { QUALYS_PASSWORD: sim.credentials.password } },
  );
}

/** The saved reports a pull with this prefix and window must import, from the simulator's own world. */
function expectedIds(prefix: string, days: number): number[] {
  const since = Date.now() - days * DAY;
  return [...sim.control.world.reports.values()]
    .filter(
      (r) =>
        r.type === "WAS_WEBAPP_REPORT" &&
        r.status === "COMPLETE" &&
        r.format === "XML" &&
        r.name.startsWith(prefix) &&
        Date.parse(r.createdDate) >= since,
    )
    .map((r) => r.id)
    .sort((a, b) => a - b);
}

async function importedIds(db: string): Promise<number[]> {
  const store = await openStore(db, { mustExist: true });
  try {
    return (await store.reportImports()).map((r) => r.reportId ?? 0).sort((a, b) => a - b);
  } finally {
    await store.close();
  }
}

interface Summary {
  file: string;
  outcome: string;
}

describe.each(STORE_KINDS)("pull-reports into $name", (kind) => {
  afterAll(() => kind.cleanup());

  it("imports the reports of the prefix and window, once", async () => {
    const db = await kind.create();
    const expected = expectedIds("Weekly", 90);
    // The seeded world has weekly reports inside and outside the window, and other families.
    expect(expected.length).toBeGreaterThan(0);
    expect(expectedIds("Weekly", 425).length).toBeGreaterThan(expected.length);
    const first = await pull(db, "--report-title-prefix", "Weekly", "--oldest", "90d", "--json");
    expect(first.stderr).not.toMatch(/"kind":"error"/);
    expect(first.code).toBe(0);
    const summaries = JSON.parse(first.stdout) as Summary[];
    expect(summaries.map((s) => s.outcome)).toEqual(expected.map(() => "imported"));
    expect(summaries.map((s) => Number(/^report (\d+)/.exec(s.file)?.[1]))).toEqual(expected);
    expect(await importedIds(db)).toEqual(expected);

    const again = await pull(db, "--report-title-prefix", "Weekly", "--oldest", "90d");
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`${expected.length} already imported, 0 to pull`));
    expect(await importedIds(db)).toEqual(expected);
  });
});

describe("pull-reports (SQLite)", () => {
  const fresh = () => `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), "qc-pull-")), "qualys.db")}`;

  const creates = () =>
    Object.entries(sim.control.stats().byEndpoint)
      .filter(([endpoint]) => endpoint.includes("/create/was/report"))
      .reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

  it("--create makes one report across a stopped run and its retry, and deletes it after the import", async () => {
    const db = fresh();
    const webAppId = [...sim.control.world.webApps.values()].find((w) => !w.name.startsWith("scenario-"))?.id;
    expect(webAppId).toBeDefined();
    const name = createdReportName("Pipeline ", { webAppIds: [webAppId ?? 0] }, new Date());
    const createsBefore = creates();
    const args = [
      "pull-reports",
      "--db",
      db,
      "--api-url",
      sim.url,
      "--username",
      sim.credentials.username,
      "--report-title-prefix",
      "Pipeline ",
      "--create",
      "--webapp-ids",
      String(webAppId),
    ];
    const env = { QUALYS_PASSWORD: sim.credentials.password };
    // The first run is killed while it waits for the report it created.
    const { done } = startCliProcess(args, {
      env,
      onStderr: (soFar, child) => {
        if (/created report \d+/.test(soFar)) child.kill("SIGKILL");
      },
    });
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const createdId = Number(/created report (\d+)/.exec(killed.stderr)?.[1]);
    expect(sim.control.world.reports.get(createdId)?.name).toBe(name);

    const retry = await runCliProcess(args, { env });
    expect(retry.code).toBe(0);
    expect(retry.stderr).toMatch(new RegExp(`found report ${createdId} `));
    expect(retry.stderr).toMatch(new RegExp(`deleted report ${createdId} `));
    expect(creates() - createsBefore).toBe(1);
    expect(await importedIds(db)).toEqual([createdId]);
    // Deleted once imported; nothing else was.
    expect(sim.control.world.reports.has(createdId)).toBe(false);
    expect(expectedIds("Weekly", 425).every((id) => sim.control.world.reports.has(id))).toBe(true);
  });

  it("a report --create cannot make fails the run (exit 3), and the saved reports are pulled all the same", async () => {
    const db = fresh();
    const run = await pull(
      db,
      "--report-title-prefix",
      "Weekly",
      "--oldest",
      "90d",
      "--create",
      "--tag",
      "No such tag",
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/error: --create: no web app has the tag "No such tag"/);
    expect(await importedIds(db)).toEqual(expectedIds("Weekly", 90));
  });

  it("the hostile report: no raw control character and no CI workflow command in the output", async () => {
    for (const json of [false, true]) {
      const db = fresh();
      const run = await pull(
        db,
        "--report-title-prefix",
        "Hostile strings report",
        ...(json ? ["--json"] : []),
      );
      expect(run.code).toBe(0);
      const output = `${run.stdout}\n${run.stderr}`;
      expect(unsafeOutput(output)).toEqual([]);
      if (!json) expect(run.stdout).toMatch(/imported/);
    }
  });
});
