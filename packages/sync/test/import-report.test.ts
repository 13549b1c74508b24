/**
 * importReport on SQLite and (with PG_URL) PostgreSQL, fed ReportItem sequences built here (the reader is tested
 * on its own): a clean import, a second import of the same file, a failing or aborted file leaving the store as
 * it was row by row, the merge with rows a sync stored, and auto-close.
 */

import type {
  ApplicationRecord,
  DefinitionRecord,
  FindingRecord,
  ReportItem,
  ReportProvenance,
} from "@qualys-connector/model";
import type { Store, WriteContext } from "@qualys-connector/store";
import { describe, expect, it } from "vitest";
import { type ImportReportOptions, importReport } from "../src/index.js";
import { describeEachStore } from "./report-stores.js";

const SUB = { apiUrl: "https://qualysapi.qualys.com", username: "alice" };
/** When the imports run: after every report's generation. */
const NOW = Date.parse("2024-06-01T00:00:00Z");

function application(id: number): ApplicationRecord {
  return {
    uid: String(id),
    id,
    name: `Web app ${id}`,
    url: `https://app${id}.example.test/`,
    ownerId: undefined,
    tags: [],
    categories: ["Web Application"],
    createdDate: undefined,
    updatedDate: undefined,
  };
}

function definition(qid: number): DefinitionRecord {
  return {
    uid: String(qid),
    qid,
    title: `Definition ${qid}`,
    severity: 3,
    severityScore: 5,
    categories: [],
    vulnType: "Vulnerability",
    cves: [],
    cvssV2Base: undefined,
    cvssV2Vector: undefined,
    cvssV3Base: undefined,
    cvssV3Vector: undefined,
    diagnosis: undefined,
    consequence: undefined,
    solution: undefined,
    pci: false,
    publishedDate: undefined,
    lastServiceModificationDate: undefined,
  };
}

/** Finding `n` of web app `webAppId`, as the API gives it (uniqueId, status, times detected). */
function apiFinding(n: number, webAppId: number, fields: Partial<FindingRecord> = {}): FindingRecord {
  return {
    uid: `uuid-${webAppId}-${n}`,
    id: 1000 * webAppId + n,
    webAppId,
    qid: 150_000 + n,
    name: `Finding ${n}`,
    type: "VULNERABILITY",
    potential: false,
    status: "ACTIVE",
    severity: 3,
    severityLabel: "High",
    url: `https://app${webAppId}.example.test/page/${n}`,
    param: "q",
    firstDetectedDate: "2024-01-01T00:00:00Z",
    lastDetectedDate: "2024-01-01T00:00:00Z",
    lastTestedDate: "2024-01-01T00:00:00Z",
    fixedDate: undefined,
    timesDetected: 2,
    isIgnored: false,
    ignoredReason: undefined,
    ignoredDate: undefined,
    cwe: ["CWE-79"],
    owasp: [],
    wasc: [],
    categories: ["VULNERABILITY"],
    evidence: { request: "GET /", response: "200", truncated: false },
    authenticated: true,
    ...fields,
  };
}

/** The same finding as a scan report gives it: no status, no times detected, no evidence. */
function reportFinding(n: number, webAppId: number, lastDetectedDate: string): FindingRecord {
  return apiFinding(n, webAppId, {
    status: undefined,
    timesDetected: undefined,
    lastDetectedDate,
    lastTestedDate: lastDetectedDate,
    evidence: { request: undefined, response: undefined, truncated: false },
    authenticated: undefined,
  });
}

function provenance(fields: Partial<ReportProvenance> = {}): ReportProvenance {
  return {
    kind: "WAS_SCAN_REPORT",
    fileName: "scan.xml",
    sha256: "1".repeat(64),
    bytes: 4096,
    reportId: undefined,
    title: "Weekly scan",
    generatedAt: "2024-03-01T00:00:00Z",
    scanIds: ["was/1709251200000.1"],
    webAppIds: [1],
    ...fields,
  };
}

interface ReportSpec {
  webApps?: number[];
  qids?: number[];
  /** Findings with their WAS uniqueId. */
  findings?: FindingRecord[];
  /** Findings the report gave without a uniqueId: their uid is not the stored one. */
  withoutUniqueId?: FindingRecord[];
  provenance?: Partial<ReportProvenance>;
}

function* reportItems(spec: ReportSpec): Generator<ReportItem> {
  for (const id of spec.webApps ?? [1]) yield { type: "application", record: application(id) };
  for (const qid of spec.qids ?? []) yield { type: "definition", record: definition(qid) };
  for (const record of spec.findings ?? []) yield { type: "finding", record, uidIsUniqueId: true };
  for (const record of spec.withoutUniqueId ?? [])
    yield { type: "finding", record: { ...record, uid: `fp-${record.uid}` }, uidIsUniqueId: false };
  const findings = [...(spec.findings ?? []), ...(spec.withoutUniqueId ?? [])];
  yield {
    type: "end",
    provenance: provenance({ webAppIds: spec.webApps ?? [1], ...spec.provenance }),
    counts: {
      applications: (spec.webApps ?? [1]).length,
      definitions: (spec.qids ?? []).length,
      findings: { VULNERABILITY: findings.length },
    },
  };
}

async function* items(spec: ReportSpec): AsyncGenerator<ReportItem> {
  yield* reportItems(spec);
}

/** Every row the store holds, in a stable order: what "unchanged" is checked against. */
async function snapshot(store: Store) {
  const collect = async <T>(rows: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const row of rows) out.push(row);
    return out;
  };
  return {
    applications: await collect(store.applications({ includeVanished: true })),
    findings: await collect(store.findings({ includeVanished: true })),
    definitions: await collect(store.definitions({ includeVanished: true })),
    changes: await store.findingChanges(),
    runs: await store.runs(),
    imports: await store.reportImports(),
    subscriptions: await store.subscriptions(),
  };
}

async function findingsOf(store: Store) {
  const out = new Map<string, FindingRecord>();
  for await (const row of store.findings()) out.set(row.record.uid, row.record);
  return out;
}

/** Rows as a sync writes them. */
function apiContext(subscriptionId: number): WriteContext {
  return { subscriptionId, source: "api", now: "2024-01-02T00:00:00.000Z", runId: undefined };
}

describeEachStore((stores) => {
  async function setUp() {
    const store = await stores.fresh();
    const sub = await store.subscription(SUB);
    const options = (extra: Partial<ImportReportOptions> = {}): ImportReportOptions => ({
      subscriptionId: sub,
      now: () => NOW,
      ...extra,
    });
    return { store, sub, options };
  }

  it("imports a report: rows with source report, labels, the run and the import, one count per record", async () => {
    const { store, sub, options } = await setUp();
    const spec: ReportSpec = {
      webApps: [1, 2],
      qids: [150_001, 150_002],
      findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z"), reportFinding(2, 2, "2024-03-01T00:00:00Z")],
      withoutUniqueId: [reportFinding(3, 1, "2024-03-01T00:00:00Z")],
    };
    const progress: number[] = [];
    const result = await importReport(
      store,
      items(spec),
      options({ label: "Network A", batchSize: 1, onProgress: (p) => progress.push(p.records) }),
    );
    expect(result).toMatchObject({
      outcome: "imported",
      importedAt: new Date(NOW).toISOString(),
      counts: {
        webapps: { added: 2, updated: 0, unchanged: 0 },
        definitions: { added: 2, updated: 0, unchanged: 0 },
        findings: { added: 3, updated: 0, unchanged: 0 },
        closed: 0,
      },
      provenance: provenance({ webAppIds: [1, 2] }),
      autoCloseSkipped: [],
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const [run] = await store.runs(sub);
    expect(run).toMatchObject({
      id: result.runId,
      stream: "import",
      status: "succeeded",
      added: 7,
      updated: 0,
      unchanged: 0,
    });
    const [recorded] = await store.reportImports(sub);
    expect(recorded).toMatchObject({
      id: result.importId,
      runId: result.runId,
      ...provenance({ webAppIds: [1, 2] }),
    });
    expect(recorded?.counts).toEqual({ applications: 2, definitions: 2, findings: { VULNERABILITY: 3 } });
    const rows = await snapshot(store);
    expect(
      new Set([...rows.applications, ...rows.findings, ...rows.definitions].map((r) => r.source)),
    ).toEqual(new Set(["report"]));
    expect(rows.applications.map((r) => r.labels)).toEqual([["Network A"], ["Network A"]]);
    // The finding without a uniqueId is stored under the uid the report gave it.
    expect(rows.findings.map((r) => r.record.uid).sort()).toEqual(["fp-uuid-1-3", "uuid-1-1", "uuid-2-2"]);
  });

  it("changes nothing when the same file (same SHA-256) or the same report id is imported again", async () => {
    const { store, options } = await setUp();
    const spec: ReportSpec = {
      qids: [150_001],
      findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")],
      withoutUniqueId: [reportFinding(2, 1, "2024-03-01T00:00:00Z")],
    };
    const first = await importReport(
      store,
      items(spec),
      options({ autoClose: true, label: "L", reportId: 77 }),
    );
    const before = await snapshot(store);
    const later = () => NOW + 86_400_000;
    const again = await importReport(
      store,
      items(spec),
      options({ autoClose: true, label: "M", now: later }),
    );
    expect(again).toEqual({
      outcome: "already-imported",
      importId: first.importId,
      importedAt: first.importedAt,
      runId: undefined,
      counts: {
        webapps: { added: 0, updated: 0, unchanged: 0 },
        findings: { added: 0, updated: 0, unchanged: 0 },
        definitions: { added: 0, updated: 0, unchanged: 0 },
        closed: 0,
      },
      provenance: provenance(),
      autoCloseSkipped: [],
    });
    expect(await snapshot(store)).toEqual(before);
    // Another file (another SHA-256) of the same pulled report id: known too.
    const byId = await importReport(
      store,
      items({ ...spec, provenance: { sha256: "2".repeat(64) } }),
      options({ reportId: 77, now: later }),
    );
    expect(byId).toMatchObject({ outcome: "already-imported", importId: first.importId });
    expect(await snapshot(store)).toEqual(before);
  });

  it("leaves the store unchanged, row by row, when the file fails part way, and throws its error", async () => {
    const { store, sub, options } = await setUp();
    await store.upsertApplications([application(1)], apiContext(sub));
    await store.upsertFindings([apiFinding(1, 1), apiFinding(2, 1)], apiContext(sub));
    await importReport(
      store,
      items({
        findings: [reportFinding(3, 1, "2024-02-01T00:00:00Z")],
        provenance: { sha256: "0".repeat(64) },
      }),
      options(),
    );
    const before = await snapshot(store);
    const failure = new Error("scan.xml:120:7: unexpected end of file");
    async function* failing(): AsyncGenerator<ReportItem> {
      let n = 0;
      for (const item of reportItems({
        webApps: [1, 2],
        qids: [150_001],
        findings: [
          reportFinding(1, 1, "2024-04-01T00:00:00Z"),
          reportFinding(4, 1, "2024-04-01T00:00:00Z"),
          reportFinding(5, 2, "2024-04-01T00:00:00Z"),
        ],
        withoutUniqueId: [reportFinding(2, 1, "2024-04-01T00:00:00Z")],
      })) {
        if (item.type === "end") throw failure;
        yield item;
        n += 1;
      }
      expect(n).toBeGreaterThan(0);
    }
    let written = 0;
    await expect(
      importReport(
        store,
        failing(),
        options({ label: "X", autoClose: true, batchSize: 1, onProgress: (p) => (written = p.records) }),
      ),
    ).rejects.toBe(failure);
    // Rows were written before the failure, then rolled back.
    expect(written).toBe(7);
    expect(await snapshot(store)).toEqual(before);
  });

  it("rolls back and throws the abort reason when aborted part way", async () => {
    const { store, sub, options } = await setUp();
    await store.upsertFindings([apiFinding(1, 1)], apiContext(sub));
    const before = await snapshot(store);
    const controller = new AbortController();
    const reason = new Error("stopped by the user");
    async function* aborting(): AsyncGenerator<ReportItem> {
      for (const item of reportItems({
        findings: [reportFinding(1, 1, "2024-04-01T00:00:00Z"), reportFinding(2, 1, "2024-04-01T00:00:00Z")],
      })) {
        if (item.type === "finding" && item.record.uid === "uuid-1-2") controller.abort(reason);
        yield item;
      }
    }
    await expect(
      importReport(store, aborting(), options({ batchSize: 1, signal: controller.signal })),
    ).rejects.toBe(reason);
    expect(await snapshot(store)).toEqual(before);
    // The lock was released: the next import runs.
    expect((await importReport(store, items({}), options())).outcome).toBe("imported");
  });

  it("fails without storing anything when the items end without their provenance", async () => {
    const { store, options } = await setUp();
    const before = await snapshot(store);
    async function* truncated(): AsyncGenerator<ReportItem> {
      yield { type: "application", record: application(1) };
    }
    await expect(importReport(store, truncated(), options())).rejects.toThrow(/without its provenance/);
    expect(await snapshot(store)).toEqual(before);
  });

  describe("merge with rows a sync stored", () => {
    it("creates no duplicate: by uniqueId, and by fingerprint for findings without one", async () => {
      const { store, sub, options } = await setUp();
      const api = [
        apiFinding(1, 1),
        apiFinding(2, 1),
        apiFinding(3, 1, { status: "FIXED", fixedDate: "2024-01-05T00:00:00Z" }),
      ];
      await store.upsertApplications([application(1)], apiContext(sub));
      await store.upsertFindings(api, apiContext(sub));
      const result = await importReport(
        store,
        items({
          findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")],
          withoutUniqueId: [
            reportFinding(2, 1, "2024-03-01T00:00:00Z"),
            reportFinding(3, 1, "2024-03-01T00:00:00Z"),
          ],
        }),
        options(),
      );
      expect(result.counts.findings).toEqual({ added: 0, updated: 3, unchanged: 0 });
      expect(result.counts.webapps).toEqual({ added: 0, updated: 0, unchanged: 1 });
      const stored = await findingsOf(store);
      expect([...stored.keys()].sort()).toEqual(["uuid-1-1", "uuid-1-2", "uuid-1-3"]);
      // What the report lacks keeps the API's values; the newer detection is taken; the fixed one reopens.
      expect(stored.get("uuid-1-1")).toEqual({
        ...api[0],
        lastDetectedDate: "2024-03-01T00:00:00Z",
        lastTestedDate: "2024-03-01T00:00:00Z",
      });
      expect(stored.get("uuid-1-3")).toMatchObject({ status: "REOPENED", fixedDate: undefined });
      const changes = await store.findingChanges(sub);
      expect(changes.map((c) => [c.findingUid, c.status.to, c.runId])).toEqual([
        ["uuid-1-1", "ACTIVE", result.runId],
        ["uuid-1-2", "ACTIVE", result.runId],
        ["uuid-1-3", "REOPENED", result.runId],
      ]);
    });

    it("leaves rows the API detected later than the report as they are", async () => {
      const { store, sub, options } = await setUp();
      const api = apiFinding(1, 1, { lastDetectedDate: "2024-05-01T00:00:00Z", severity: 4 });
      await store.upsertFindings([api], apiContext(sub));
      const result = await importReport(
        store,
        items({ findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")] }),
        options(),
      );
      expect(result.counts.findings).toEqual({ added: 0, updated: 0, unchanged: 1 });
      expect((await findingsOf(store)).get(api.uid)).toEqual(api);
      expect(await store.findingChanges(sub)).toEqual([]);
    });
  });

  describe("auto-close", () => {
    /** Web apps 1 and 2 as a sync stored them: findings 1-3 on web app 1, finding 4 on web app 2. */
    async function synced(store: Store, sub: number) {
      await store.upsertApplications([application(1), application(2)], apiContext(sub));
      await store.upsertFindings(
        [
          apiFinding(1, 1),
          apiFinding(2, 1),
          // Detected by the API after the report was generated.
          apiFinding(3, 1, { lastDetectedDate: "2024-04-01T00:00:00Z" }),
          apiFinding(5, 1, { type: "INFORMATION_GATHERED", status: undefined }),
          apiFinding(4, 2),
        ],
        apiContext(sub),
      );
    }

    it("fixes the covered web app's open findings the report no longer shows, and nothing else", async () => {
      const { store, sub, options } = await setUp();
      await synced(store, sub);
      const result = await importReport(
        store,
        items({ webApps: [1], findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")] }),
        options({ autoClose: true }),
      );
      expect(result.counts.closed).toBe(1);
      expect(result.autoCloseSkipped).toEqual([]);
      const stored = await findingsOf(store);
      expect(stored.get("uuid-1-2")).toEqual({
        ...apiFinding(2, 1),
        status: "FIXED",
        fixedDate: "2024-03-01T00:00:00Z",
      });
      expect(stored.get("uuid-1-1")?.status).toBe("ACTIVE");
      expect(stored.get("uuid-1-3")?.status).toBe("ACTIVE");
      expect(stored.get("uuid-1-5")?.status).toBeUndefined();
      // Web app 2 is not in the report: never closed.
      expect(stored.get("uuid-2-4")?.status).toBe("ACTIVE");
      const closing = (await store.findingChanges(sub)).filter((c) => c.status.to === "FIXED");
      expect(closing).toEqual([
        expect.objectContaining({
          findingUid: "uuid-1-2",
          runId: result.runId,
          status: { from: "ACTIVE", to: "FIXED" },
        }),
      ]);
    });

    it("closes nothing without the option", async () => {
      const { store, sub, options } = await setUp();
      await synced(store, sub);
      const result = await importReport(
        store,
        items({ webApps: [1], findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")] }),
        options(),
      );
      expect(result.counts.closed).toBe(0);
      expect((await findingsOf(store)).get("uuid-1-2")?.status).toBe("ACTIVE");
    });

    it("does not close from a report older than one imported before for that web app", async () => {
      const { store, sub, options } = await setUp();
      await synced(store, sub);
      // A newer report of web app 1 (finding 2 present), imported first.
      await importReport(
        store,
        items({
          webApps: [1],
          findings: [
            reportFinding(1, 1, "2024-03-10T00:00:00Z"),
            reportFinding(2, 1, "2024-03-10T00:00:00Z"),
          ],
          provenance: { sha256: "a".repeat(64), generatedAt: "2024-03-10T00:00:00Z" },
        }),
        options({ autoClose: true }),
      );
      const before = await findingsOf(store);
      // An older report of web apps 1 and 2 without findings 2 and 4.
      const older = await importReport(
        store,
        items({
          webApps: [1, 2],
          findings: [reportFinding(1, 1, "2024-03-01T00:00:00Z")],
          provenance: { sha256: "b".repeat(64), generatedAt: "2024-03-01T00:00:00Z" },
        }),
        options({ autoClose: true }),
      );
      expect(older.autoCloseSkipped).toEqual([
        { webAppId: 1, reason: "older report: not closed", newerReportGeneratedAt: "2024-03-10T00:00:00Z" },
      ]);
      const after = await findingsOf(store);
      expect(after.get("uuid-1-2")).toEqual(before.get("uuid-1-2"));
      // Web app 2 had no newer report: its absent finding is closed.
      expect(after.get("uuid-2-4")?.status).toBe("FIXED");
      expect(older.counts.closed).toBe(1);
    });
  });
});
