/**
 * `qualys-connector import` end to end: report files the simulator generated (created through its report API and
 * downloaded, as a user would) imported by the real CLI into SQLite and (with PG_URL) PostgreSQL. Each kind gives
 * exactly the simulator's ground truth for the web apps it covers; gzip, zip and standard input read the same; a
 * second import changes nothing; an import after an API sync adds no duplicate; a bad file among good ones is
 * exit 3 naming file:line:column and leaves nothing of itself behind.
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore, type Store } from "@qualys-connector/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliProcess, startCliProcess } from "./cli-process.js";
import { PG_SKIP_MESSAGE, PG_URL, STORE_KINDS } from "./sync-stores.js";
import { unsafeOutput } from "./unsafe-output.js";

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
let client: QualysClient;
let dir: string;
/** Ids of the seeded world's generated web apps (not the scenario targets, whose scans end their own way), sorted. */
let webAppIds: number[];
/**
 * Reports downloaded once for the whole file (names in `dir`): `webapp` covers the first two web apps, `scan` a
 * scan of the third.
 */
const files = { webapp: "", scan: "" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Create a report through the simulator's API, wait for it and save the download under `name`. */
async function saveReport(
  type: "WAS_WEBAPP_REPORT" | "WAS_SCAN_REPORT",
  targetIds: number[],
  name: string,
): Promise<string> {
  const id = await client.was.report.create({ name, type, format: "XML", targetIds });
  for (let i = 0; i < 500 && (await client.was.report.status(id)) !== "COMPLETE"; i++) await sleep(20);
  const download = await client.was.report.download(id);
  writeFileSync(path.join(dir, name), download.body);
  return name;
}

/** A finished WAS scan of a web app, launched through the API. */
async function finishedScan(webAppId: number): Promise<number> {
  const id = await client.was.scan.launch({
    name: `report-import test ${webAppId}`,
    type: "VULNERABILITY",
    webAppId,
    authRecord: "none",
    scanner: { type: "EXTERNAL" },
  });
  for (let i = 0; i < 500; i++) {
    const status = await client.was.scan.status(id);
    if (status.status === "FINISHED") return id;
    await sleep(20);
  }
  throw new Error(`scan ${id} did not finish`);
}

async function truthFindings(): Promise<TruthFinding[]> {
  return (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as TruthFinding[];
}

async function truthWebApps(): Promise<{ id: number; name: string }[]> {
  return (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
    id: number;
    name: string;
  }[];
}

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    webapps: 4,
    findingsPerWebapp: 12,
    scanDurationMs: 100,
    reportDurationMs: 20,
  });
  client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: sim.credentials.username, password: sim.credentials.password },
  });
  dir = mkdtempSync(path.join(tmpdir(), "qc-import-"));
  webAppIds = (await truthWebApps())
    .filter((w) => !w.name.startsWith("scenario-"))
    .map((w) => w.id)
    .sort((a, b) => a - b);
  files.webapp = await saveReport("WAS_WEBAPP_REPORT", webAppIds.slice(0, 2), "webapp-report.xml");
  const scanId = await finishedScan(webAppIds[2] ?? 0);
  files.scan = await saveReport("WAS_SCAN_REPORT", [scanId], "scan-report.xml");
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});

/** Every stored row of the store, as JSON text per table: to compare a store before and after. */
async function dumpStore(location: string): Promise<{ apps: string[]; findings: string[]; defs: string[] }> {
  const store = await openStore(location, { mustExist: true });
  try {
    const apps: string[] = [];
    const findings: string[] = [];
    const defs: string[] = [];
    for await (const row of store.applications()) apps.push(JSON.stringify(row));
    for await (const row of store.findings()) findings.push(JSON.stringify(row));
    for await (const row of store.definitions()) defs.push(JSON.stringify(row));
    return { apps: apps.sort(), findings: findings.sort(), defs: defs.sort() };
  } finally {
    await store.close();
  }
}

async function withStore<T>(location: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location, { mustExist: true });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The stored findings in the ground truth's shape, sorted by uid. */
async function storedFindings(location: string) {
  return withStore(location, async (store) => {
    const out: Omit<TruthFinding, "id">[] = [];
    for await (const { record: f } of store.findings())
      out.push({
        uniqueId: f.uid,
        webAppId: f.webAppId,
        qid: f.qid,
        type: f.type,
        status: f.status ?? null,
        severity: f.severity ?? 0,
        isIgnored: f.isIgnored,
        lastDetectedDate: toMinute(f.lastDetectedDate ?? null),
      });
    return out.sort((a, b) => a.uniqueId.localeCompare(b.uniqueId));
  });
}

/** Report files give times to the minute ("03 Dec 2026 06:20PM"): both sides are compared at that precision. */
const toMinute = (iso: string | null) => (iso === null ? null : new Date(iso).toISOString().slice(0, 16));

/** The ground truth's findings in the stored shape (the fields both sides have), sorted by uid. */
function truthShape(findings: TruthFinding[]) {
  return findings
    .map((f) => ({
      uniqueId: f.uniqueId,
      webAppId: f.webAppId,
      qid: f.qid,
      type: f.type,
      status: f.status,
      severity: f.severity,
      isIgnored: f.isIgnored,
      lastDetectedDate: toMinute(f.lastDetectedDate),
    }))
    .sort((a, b) => a.uniqueId.localeCompare(b.uniqueId));
}

/** Findings without their status: a scan report gives a status per scan, not per finding (docs/import.md). */
const withoutStatus = <T extends { status: string | null }>(findings: T[]) =>
  findings.map(({ status: _status, ...f }) => f);

/** The CLI run in the folder of the report files, which the tests name relatively (as a user would). */
const cli = (args: string[], stdin?: string) =>
  runCliProcess(args, { cwd: dir, ...(stdin === undefined ? {} : { stdin }) });

/** A scan gate run through the CLI against the simulator; returns the folder holding its result.json. */
async function gateResult(webAppName: string): Promise<string> {
  const out = mkdtempSync(path.join(tmpdir(), "qc-import-gate-"));
  const run = await runCliProcess(
    ["scan", "was", "--webapp", webAppName, "--poll-interval", "1s", "--timeout", "2m", "--report-dir", out],
    {
      env: {
        QUALYS_API_URL: sim.url,
        QUALYS_USERNAME: sim.credentials.username,
        QUALYS_PASSWORD: sim.credentials.password,
      },
    },
  );
  // Passed or failed by its policy: either way it wrote its result.
  expect([0, 1]).toContain(run.code);
  return out;
}

describe.each(STORE_KINDS)("import into $name", (kind) => {
  afterAll(() => kind.cleanup());

  it("a WAS_WEBAPP_REPORT gives the ground truth of its web apps; importing it again changes nothing", async () => {
    const db = await kind.create();
    const run = await cli(["import", files.webapp, "--db", db]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/webapp-report\.xml\s+WAS_WEBAPP_REPORT\s+imported/);
    const covered = new Set(webAppIds.slice(0, 2));
    const truth = (await truthFindings()).filter((f) => covered.has(f.webAppId));
    expect(truth.length).toBeGreaterThan(0);
    expect(await storedFindings(db)).toEqual(truthShape(truth));
    const apps = await withStore(db, async (store) => {
      const out: { id: number; name: string }[] = [];
      for await (const { record } of store.applications()) out.push({ id: record.id, name: record.name });
      return out.sort((a, b) => a.id - b.id);
    });
    expect(apps).toEqual(
      (await truthWebApps())
        .filter((w) => covered.has(w.id))
        .map((w) => ({ id: w.id, name: w.name }))
        .sort((a, b) => a.id - b.id),
    );

    const before = await dumpStore(db);
    const again = await cli(["import", files.webapp, "--db", db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already imported/);
    expect(await dumpStore(db)).toEqual(before);
  });

  it("a WAS_SCAN_REPORT gives the ground truth of the scanned web app", async () => {
    const db = await kind.create();
    const run = await cli(["import", files.scan, "--db", db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/scan-report\.xml\s+WAS_SCAN_REPORT\s+imported/);
    const scanned = webAppIds[2];
    const truth = (await truthFindings()).filter((f) => f.webAppId === scanned);
    expect(truth.length).toBeGreaterThan(0);
    expect(withoutStatus(await storedFindings(db))).toEqual(withoutStatus(truthShape(truth)));
  });

  it("a gate's result.json gives the ground truth of the findings it holds", async () => {
    const db = await kind.create();
    const webApp = (await truthWebApps()).find((w) => w.id === webAppIds[3]);
    const out = await gateResult(webApp?.name ?? "");
    const run = await runCliProcess(["import", "result.json", "--db", db], { cwd: out });
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/result\.json\s+GATE_RESULT\s+imported/);
    const stored = await storedFindings(db);
    expect(stored.length).toBeGreaterThan(0);
    // A gate result carries no uniqueId (its findings are keyed by fingerprint): every stored finding is one of
    // the scanned web app's in the simulator, with its QID, type and severity.
    const truth = new Set(
      (await truthFindings())
        .filter((f) => f.webAppId === webApp?.id)
        .map((f) => JSON.stringify([f.webAppId, f.qid, f.type, f.severity])),
    );
    for (const f of stored) expect(truth).toContain(JSON.stringify([f.webAppId, f.qid, f.type, f.severity]));
  });

  it("after an API sync of the same data, an import adds no duplicate", async () => {
    const db = await kind.create();
    const sync = await runCliProcess(
      ["sync", "--db", db, "--api-url", sim.url, "--username", sim.credentials.username],
      { cwd: dir, env: { QUALYS_PASSWORD: sim.credentials.password } },
    );
    expect(sync.code).toBe(0);
    const synced = await storedFindings(db);
    const run = await cli(["import", files.webapp, files.scan, "--db", db]);
    expect(run.code).toBe(0);
    const after = await storedFindings(db);
    expect(after.length).toBe(synced.length);
    expect(new Set(after.map((f) => f.uniqueId)).size).toBe(after.length);
    expect(after).toEqual(truthShape(await truthFindings()));
  });

  it("after an import of records without a uniqueId, an API sync of the same data adds no duplicate", async () => {
    const db = await kind.create();
    // The older report layout carries no UNIQUE_ID: the import keys those findings by their fingerprint.
    const bare = path.join(dir, "webapp-no-unique-id.xml");
    const text = readFileSync(path.join(dir, files.webapp), "utf8");
    writeFileSync(bare, text.replace(/<UNIQUE_ID>[^<]*<\/UNIQUE_ID>/g, ""));
    expect(text).toMatch(/<UNIQUE_ID>/);
    const account = ["--api-url", sim.url, "--username", sim.credentials.username];
    const imported = await cli(["import", bare, "--db", db, ...account]);
    expect(imported.code).toBe(0);
    const keyed = await storedFindings(db);
    expect(keyed.length).toBeGreaterThan(0);
    expect(keyed.every((f) => /^[0-9a-f]{32}$/.test(f.uniqueId))).toBe(true);
    const sync = await runCliProcess(["sync", "--db", db, ...account], {
      cwd: dir,
      env: { QUALYS_PASSWORD: sim.credentials.password },
    });
    expect(sync.code).toBe(0);
    const after = await storedFindings(db);
    expect(after.length).toBe((await truthFindings()).length);
    // The rows the import keyed by fingerprint are the ones the sync updated, under the same uids.
    const uids = new Set(after.map((f) => f.uniqueId));
    for (const f of keyed) expect(uids.has(f.uniqueId)).toBe(true);
  });
});

/** A zip archive of one deflated entry (the layout Qualys' zipped downloads use): local header, data, directory. */
function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content);
  const nameBytes = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

describe("import (SQLite)", () => {
  const fresh = () => `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), "qc-import-db-")), "qualys.db")}`;

  it("reads .gz, .zip and standard input as the plain file", async () => {
    const plain = fresh();
    expect((await cli(["import", files.webapp, "--db", plain])).code).toBe(0);
    const expected = await storedFindings(plain);
    const xml = readFileSync(path.join(dir, files.webapp));
    const gz = "webapp-report.xml.gz";
    writeFileSync(path.join(dir, gz), gzipSync(xml));
    const zip = "webapp-report.zip";
    writeFileSync(path.join(dir, zip), zipOf("webapp-report.xml", xml));
    for (const input of [gz, zip, "-"]) {
      const db = fresh();
      const run = await cli(["import", input, "--db", db], input === "-" ? xml.toString("utf8") : undefined);
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect(await storedFindings(db)).toEqual(expected);
    }
  });

  it("a bad file among good ones: exit 3 naming file:line:column, the good files imported, nothing of the bad", async () => {
    const db = fresh();
    const xml = readFileSync(path.join(dir, files.scan), "utf8");
    // Cut inside the results: the scanned web app's records are read before the error, and must not stay.
    const bad = "truncated scan.xml";
    writeFileSync(path.join(dir, bad), xml.slice(0, Math.floor(xml.length * 0.7)));
    const run = await cli(["import", files.webapp, bad, "--db", db]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/truncated scan\.xml:\d+:\d+: /);
    expect(run.stdout).toMatch(/webapp-report\.xml\s+WAS_WEBAPP_REPORT\s+imported/);
    expect(run.stdout).toMatch(/truncated scan\.xml\s+failed/);
    const stored = await storedFindings(db);
    const covered = new Set(webAppIds.slice(0, 2));
    expect(stored).toEqual(truthShape((await truthFindings()).filter((f) => covered.has(f.webAppId))));
    expect(stored.some((f) => f.webAppId === webAppIds[2])).toBe(false);
  });

  it("SIGTERM while a file is read: that file rolled back and reported interrupted, later files not started, exit 3", async () => {
    const db = fresh();
    // Seed the store with the web app report, so "rolled back" is checked against rows that must stay as they were.
    expect((await cli(["import", files.webapp, "--db", db])).code).toBe(0);
    const before = await storedFindings(db);
    const xml = readFileSync(path.join(dir, files.scan));
    // The report up to its first finding's end on standard input, then a comment that never ends: more than a
    // pipe's 64 KiB buffer, so when its write completes the CLI has read past the finding and waits for more,
    // mid-file, as a slow producer (`curl … | qualys-connector import -`) would leave it.
    const cut = xml.indexOf("</VULNERABILITY>");
    expect(cut).toBeGreaterThan(0);
    const { child, done } = startCliProcess(["import", "-", files.webapp, "--db", db, "--json"], {
      cwd: dir,
      keepStdinOpen: true,
    });
    const stdin = child.stdin;
    if (!stdin) throw new Error("no stdin");
    stdin.write(xml.subarray(0, cut + "</VULNERABILITY>".length));
    let signalled = false;
    stdin.write(`<!--${"x".repeat(1024 * 1024)}`, () => {
      signalled = child.kill("SIGTERM");
    });
    const run = await done;
    expect(signalled).toBe(true);
    expect(run.code).toBe(3);
    const summary = JSON.parse(run.stdout) as { file: string; outcome: string; reason: string }[];
    expect(summary.map((s) => [s.outcome, s.reason])).toEqual([
      ["interrupted", "rolled back (SIGTERM)"],
      ["interrupted", "not started (SIGTERM)"],
    ]);
    expect(run.stderr).toMatch(/SIGTERM received/);
    expect(await storedFindings(db)).toEqual(before);
  });

  it("a store of several subscriptions, none named: exit 3 listing them; naming one imports into it", async () => {
    const db = fresh();
    await withStore(db, async () => undefined).catch(() => undefined);
    const store = await openStore(db);
    await store.migrate();
    await store.subscription({ apiUrl: "https://qualysapi.qualys.com", username: "alice" });
    await store.subscription({ apiUrl: "https://qualysapi.qg2.apps.qualys.com", username: "bob" });
    await store.close();
    const run = await cli(["import", files.webapp, "--db", db]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/2 subscriptions/);
    expect(run.stderr).toMatch(/--api-url https:\/\/qualysapi\.qualys\.com --username alice/);
    const named = await cli([
      "import",
      files.webapp,
      "--db",
      db,
      "--api-url",
      "https://qualysapi.qg2.apps.qualys.com",
      "--username",
      "bob",
    ]);
    expect(named.code).toBe(0);
    const rows = await withStore(db, async (s) => {
      const subs = await s.subscriptions();
      const bob = subs.find((x) => x.username === "bob");
      let count = 0;
      for await (const _ of s.findings({ subscriptionId: bob?.id ?? -1 })) count++;
      return count;
    });
    expect(rows).toBeGreaterThan(0);
  });

  it("an empty store gets the subscription of imported files", async () => {
    const db = fresh();
    expect((await cli(["import", files.webapp, "--db", db])).code).toBe(0);
    const subs = await withStore(db, (s) => s.subscriptions());
    expect(subs.map((s) => [s.apiUrl, s.username])).toEqual([["file:", "report-import"]]);
  });

  it("--severity-map labels findings the same way on import and on sync; a bad map is exit 3 naming the file", async () => {
    writeFileSync(
      path.join(dir, "labels.yaml"),
      'VULNERABILITY: { "1": Info, "2": Minor }\nINFORMATION_GATHERED: { "1": Note }\n',
    );
    // The label each stored finding should have: the map's cells for confirmed vulnerabilities and information
    // gathered, the default table for the kinds the map leaves out (potential, sensitive content).
    const DEFAULT = { 1: "Low", 2: "Medium", 3: "High", 4: "Critical", 5: "Critical" } as Record<
      number,
      string
    >;
    const expectedLabel = (f: { type: string; potential: boolean; severity: number | undefined }) => {
      const severity = f.severity ?? 0;
      if (f.type === "INFORMATION_GATHERED") return severity === 1 ? "Note" : "Low";
      if (f.type === "VULNERABILITY" && !f.potential && severity <= 2)
        return severity === 1 ? "Info" : "Minor";
      return DEFAULT[severity];
    };
    const labelsOf = (location: string) =>
      withStore(location, async (store) => {
        const out = new Map<string, { label: string | undefined; expected: string | undefined }>();
        for await (const { record } of store.findings())
          out.set(record.uid, { label: record.severityLabel, expected: expectedLabel(record) });
        return out;
      });
    const imported = fresh();
    expect(
      (await cli(["import", files.webapp, "--db", imported, "--severity-map", "labels.yaml"])).code,
    ).toBe(0);
    const synced = fresh();
    const sync = await runCliProcess(
      [
        "sync",
        "--db",
        synced,
        "--api-url",
        sim.url,
        "--username",
        sim.credentials.username,
        "--severity-map",
        "labels.yaml",
      ],
      { cwd: dir, env: { QUALYS_PASSWORD: sim.credentials.password } },
    );
    expect(sync.code).toBe(0);
    const fromImport = await labelsOf(imported);
    const fromSync = await labelsOf(synced);
    expect(fromImport.size).toBeGreaterThan(0);
    for (const [uid, { label, expected }] of fromImport) {
      expect(label).toBe(expected);
      expect(fromSync.get(uid)?.label).toBe(label);
    }
    for (const { label, expected } of fromSync.values()) expect(label).toBe(expected);
    const labels = [...fromImport.values()].map((f) => f.label);
    expect(labels).toContain("Info");
    expect(labels).toContain("Note");

    writeFileSync(path.join(dir, "bad-labels.yaml"), 'VULNERABILITY: { "9": Info }\nCRITICAL: {}\n');
    for (const command of [
      ["import", files.webapp],
      ["sync", "--api-url", sim.url, "--username", "sim_user"],
    ]) {
      const bad = await runCliProcess([...command, "--db", fresh(), "--severity-map", "bad-labels.yaml"], {
        cwd: dir,
        env: { QUALYS_PASSWORD: sim.credentials.password },
      });
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/--severity-map: bad-labels\.yaml: VULNERABILITY: "9" is not a severity/);
      expect(bad.stderr).toMatch(/--severity-map: bad-labels\.yaml: unknown finding kind "CRITICAL"/);
    }
  });

  it("a hostile file name is escaped in every line printed", async () => {
    const db = fresh();
    const hostile = "\u001b[31mred\u202e ::error::x.xml";
    writeFileSync(path.join(dir, hostile), readFileSync(path.join(dir, files.webapp)));
    const missing = "##vso[task.setvariable variable=x]1.xml";
    const run = await cli(["import", hostile, missing, "--db", db]);
    expect(run.code).toBe(3);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(unsafeOutput(output)).toEqual([]);
    expect(output).toMatch(/\\x1b\[31mred/);
    expect(run.stderr).toMatch(/no such file/);
  });

  it("--label tags the imported web apps; --auto-close fixes what a newer report of the web app no longer lists", async () => {
    const db = fresh();
    const xml = readFileSync(path.join(dir, files.webapp), "utf8");
    expect((await cli(["import", files.webapp, "--db", db, "--label", "dmz"])).code).toBe(0);
    const labels = await withStore(db, async (store) => {
      const out: string[][] = [];
      for await (const row of store.applications()) out.push(row.labels);
      return out;
    });
    expect(labels.length).toBe(2);
    for (const l of labels) expect(l).toEqual(["dmz"]);

    // A newer report of the same web apps without one open vulnerability: generated a year later, that record cut.
    const records = [
      ...xml.matchAll(/<VULNERABILITY>(?:(?!<\/VULNERABILITY>)[\s\S])*<\/VULNERABILITY>/g),
    ].map((m) => m[0]);
    const open = records.find((r) => /<STATUS>(New|Active|Reopened)<\/STATUS>/.test(r));
    expect(open).toBeDefined();
    const uid = /<UNIQUE_ID>([^<]+)<\/UNIQUE_ID>/.exec(open ?? "")?.[1];
    const later = xml
      .replace(open ?? "", "")
      .replace(
        /(<GENERATION_DATETIME>\d\d \w+ )(\d{4})/,
        (_m, dayMonth: string, year: string) => `${dayMonth}${Number(year) + 1}`,
      );
    writeFileSync(path.join(dir, "webapp-report-later.xml"), later);
    const run = await cli(["import", "webapp-report-later.xml", "--db", db, "--auto-close"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/webapp-report-later\.xml\s+WAS_WEBAPP_REPORT\s+imported(\s+\d+){7}\s+1\n/);
    const closed = await withStore(db, async (store) => {
      for await (const { record } of store.findings()) if (record.uid === uid) return record.status;
      return undefined;
    });
    expect(closed).toBe("FIXED");
  });
});
