import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type ApplicationRecord,
  type DefinitionRecord,
  EVIDENCE_MAX,
  type FindingRecord,
} from "@qualys-connector/model";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  type ListOptions,
  openStore,
  redactLocation,
  type Store,
  type StoredObject,
  type StoredRow,
  type SyncRunStats,
  type UpsertCounts,
  type WriteContext,
} from "../src/index.js";
import { describeEachDatabase, type TestDatabase } from "./databases.js";

/** Minute `n` of a fixed day, as the ISO text the sync writes. */
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

const SUB_A = { apiUrl: "https://qualysapi.qualys.com", username: "alice" };
const SUB_B = { apiUrl: "https://qualysapi.qg2.apps.qualys.eu", username: "alice" };

const HOSTILE = "'); DROP TABLE findings;--";
const SCRIPT = '<script>alert("x")</script>';
const UNICODE = 'Ünïcødé ✓ 日本語 🚀 "quoted" back\\slash\ttab\nnewline';

function context(subscriptionId: number, now: string, runId?: number): WriteContext {
  return { subscriptionId, source: "api", now, runId };
}

function application(n: number, fields: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    uid: String(n),
    id: n,
    name: `Web app ${n}`,
    url: `https://app${n}.example.test/`,
    ownerId: 1001,
    tags: ["prod", "team-a"],
    categories: ["Web Application"],
    createdDate: "2023-11-02T08:00:00Z",
    updatedDate: undefined,
    ...fields,
  };
}

function finding(n: number, fields: Partial<FindingRecord> = {}): FindingRecord {
  return {
    uid: `9b0f5c1e-0000-4000-8000-${String(n).padStart(12, "0")}`,
    id: 50_000_000 + n,
    webAppId: 1,
    qid: 150_000 + (n % 7),
    name: `Cross-Site Scripting ${n}`,
    type: "VULNERABILITY",
    potential: false,
    status: "NEW",
    severity: 3,
    severityLabel: "Medium",
    url: `https://app1.example.test/page/${n}`,
    param: "q",
    firstDetectedDate: "2024-01-01T10:00:00Z",
    lastDetectedDate: "2024-01-01T10:00:00Z",
    lastTestedDate: "2024-01-01T10:00:00Z",
    fixedDate: undefined,
    timesDetected: 1,
    isIgnored: false,
    ignoredReason: undefined,
    ignoredDate: undefined,
    cwe: ["CWE-79"],
    owasp: ["A3"],
    wasc: ["WASC-8"],
    categories: ["VULNERABILITY", "XSS"],
    evidence: {
      request: `GET /page/${n}?q=1 HTTP/1.1\nHost: app1`,
      response: "<html>…</html>",
      truncated: false,
    },
    authenticated: undefined,
    ...fields,
  };
}

function definition(qid: number, fields: Partial<DefinitionRecord> = {}): DefinitionRecord {
  return {
    uid: String(qid),
    qid,
    title: `Definition ${qid}`,
    severity: 4,
    severityScore: 7.5,
    categories: ["Web Application"],
    vulnType: "Vulnerability",
    cves: ["CVE-2021-44228", "CVE-2021-45046"],
    cvssV2Base: 6.8,
    cvssV2Vector: "AV:N/AC:M/Au:N/C:P/I:P/A:P",
    cvssV3Base: 9.8,
    cvssV3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    diagnosis: "<p>The application reflects input.</p>",
    consequence: "Session theft.",
    solution: "Encode output.",
    pci: true,
    publishedDate: "2020-05-01T00:00:00Z",
    lastServiceModificationDate: "2023-06-30T12:00:00Z",
    ...fields,
  };
}

/** One stored object kind, so the shared behaviour is tested once for all three. */
interface Kind<T extends { uid: string }> {
  object: StoredObject;
  make(n: number): T;
  /** The same record with one field changed. */
  change(record: T): T;
  /** Records covering every field shape: arrays empty and full, optional fields absent, hostile text. */
  variants(): T[];
  upsert(store: Store, records: readonly T[], ctx: WriteContext): Promise<UpsertCounts>;
  list(store: Store, options?: ListOptions): AsyncIterable<StoredRow<T>>;
}

const APPLICATIONS: Kind<ApplicationRecord> = {
  object: "webapps",
  make: (n) => application(n),
  change: (record) => ({ ...record, name: `${record.name} (renamed)` }),
  variants: () => [
    application(1),
    application(2, {
      name: HOSTILE,
      url: "https://例え.テスト/päth?q=ü&x=🚀",
      ownerId: undefined,
      tags: [],
      categories: [],
      createdDate: undefined,
    }),
    application(3, { name: SCRIPT, tags: [UNICODE, HOSTILE, ""], updatedDate: "2024-02-03T04:05:06Z" }),
  ],
  upsert: (store, records, ctx) => store.upsertApplications(records, ctx),
  list: (store, options) => store.applications(options),
};

const FINDINGS: Kind<FindingRecord> = {
  object: "findings",
  make: (n) => finding(n),
  change: (record) => ({ ...record, lastTestedDate: "2024-03-01T00:00:00Z" }),
  variants: () => [
    finding(1),
    finding(2, {
      name: HOSTILE,
      param: SCRIPT,
      url: `https://app1.example.test/${UNICODE}`,
      evidence: { request: SCRIPT, response: undefined, truncated: false },
    }),
    // Information gathered: no status, severity or evidence.
    finding(3, {
      type: "INFORMATION_GATHERED",
      status: undefined,
      severity: undefined,
      severityLabel: undefined,
      url: undefined,
      param: undefined,
      firstDetectedDate: undefined,
      lastDetectedDate: undefined,
      lastTestedDate: undefined,
      timesDetected: undefined,
      cwe: [],
      owasp: [],
      wasc: [],
      categories: [],
      evidence: { request: undefined, response: undefined, truncated: false },
    }),
    finding(4, {
      potential: true,
      status: "FIXED",
      severity: 5,
      severityLabel: "Urgent",
      fixedDate: "2024-01-05T00:00:00Z",
      timesDetected: 12,
      isIgnored: true,
      ignoredReason: "FALSE_POSITIVE",
      ignoredDate: "2024-01-04T00:00:00Z",
      cwe: ["CWE-89", "CWE-564"],
      owasp: ["A1", "A3"],
      wasc: ["WASC-19"],
      categories: ["VULNERABILITY", UNICODE],
      evidence: { request: "x".repeat(EVIDENCE_MAX), response: "y".repeat(EVIDENCE_MAX), truncated: true },
    }),
  ],
  upsert: (store, records, ctx) => store.upsertFindings(records, ctx),
  list: (store, options) => store.findings(options),
};

const DEFINITIONS: Kind<DefinitionRecord> = {
  object: "definitions",
  make: (n) => definition(n),
  change: (record) => ({ ...record, solution: "Patch to 2.17.1." }),
  variants: () => [
    definition(150_001),
    // No CVSS: the score comes from the severity; nothing optional present.
    definition(150_002, {
      severity: undefined,
      severityScore: 0,
      categories: [],
      vulnType: undefined,
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
    }),
    definition(150_003, {
      title: HOSTILE,
      diagnosis: SCRIPT,
      solution: UNICODE,
      severityScore: 3.9,
      cvssV3Base: 0.1,
    }),
  ],
  upsert: (store, records, ctx) => store.upsertDefinitions(records, ctx),
  list: (store, options) => store.definitions(options),
};

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const byUid = <T extends { uid: string }>(a: T, b: T) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

/** Rows in uid order: the interface promises no order. */
async function rowsOf<T extends { uid: string }>(rows: AsyncIterable<StoredRow<T>>): Promise<StoredRow<T>[]> {
  return (await collect(rows)).sort((a, b) => byUid(a.record, b.record));
}

async function recordsOf<T extends { uid: string }>(rows: AsyncIterable<StoredRow<T>>): Promise<T[]> {
  return (await rowsOf(rows)).map((row) => row.record);
}

const sorted = <T extends { uid: string }>(records: readonly T[]) => [...records].sort(byUid);

function storeSuite(db: TestDatabase): void {
  async function openMigrated(location?: string): Promise<Store> {
    const store = await db.open(location);
    await store.migrate();
    return store;
  }

  async function withSubscription(): Promise<{ store: Store; sub: number }> {
    const store = await openMigrated();
    return { store, sub: await store.subscription(SUB_A) };
  }

  // First: while the known leak below lasts, its idle connection ages out (pg-pool: 10 s) during the other
  // tests, and the database is dropped in the background after that.
  describe("closing", () => {
    // PostgreSQL only: a SQLite store has no connections to count.
    (db.dialect === "postgres" ? it : it.skip)("closes its connections even when no query ran", async () => {
      const store = await db.open();
      await store.close();
      expect(await db.openConnections()).toBe(0);
    });

    it("closes its connections after use", async () => {
      const store = await openMigrated();
      await store.subscription(SUB_A);
      await store.close();
      expect(await db.openConnections()).toBe(0);
    });
  });

  describe("migrations and reopening", () => {
    it("migrates twice without harm, and a second open of the same database sees the data", async () => {
      const store = await openMigrated();
      expect(store.dialect).toBe(db.dialect);
      await store.migrate();
      const sub = await store.subscription(SUB_A);
      await store.upsertApplications([application(1)], context(sub, at(1)));
      const state = { cursor: at(1), checkpoint: { lastId: 7 }, updatedAt: at(2) };
      await store.setState(sub, "webapps", state);
      await store.migrate();

      const again = await openMigrated();
      expect(await again.subscription(SUB_A)).toBe(sub);
      expect(await recordsOf(again.applications())).toEqual([application(1)]);
      expect(await again.getState(sub, "webapps")).toEqual(state);
    });
  });

  describe("migration 002", () => {
    /** Run SQL on the test database directly, as an older version of the store would have left it. */
    async function raw(statement: string): Promise<void> {
      if (db.dialect === "sqlite") {
        const sqlite = new BetterSqlite3(db.location.slice("sqlite:".length));
        try {
          sqlite.exec(statement);
        } finally {
          sqlite.close();
        }
        return;
      }
      const client = new pg.Client({ connectionString: db.location });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    }

    it("rewrites the bare WASC numbers of findings stored before as WASC-n, and leaves the rest alone", async () => {
      const store = await openMigrated();
      const sub = await store.subscription(SUB_A);
      const old = finding(1, { wasc: ["22", "WASC-8"], owasp: ["3"] });
      const none = finding(2, { wasc: [] });
      await store.upsertFindings([old, none], context(sub, at(1)));
      // As a store without migration 002 left it.
      await raw("delete from schema_migrations where name = '002_wasc_codes'");
      await store.migrate();
      const rows = await recordsOf(store.findings());
      expect(rows.find((r) => r.uid === old.uid)).toEqual({ ...old, wasc: ["WASC-22", "WASC-8"] });
      expect(rows.find((r) => r.uid === none.uid)).toEqual(none);
    });
  });

  describe("subscriptions", () => {
    it("gives one stable id per API URL and user name", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      expect(await store.subscription({ ...SUB_A })).toBe(a);
      const otherPlatform = await store.subscription(SUB_B);
      const otherUser = await store.subscription({ ...SUB_A, username: "bob" });
      expect(new Set([a, otherPlatform, otherUser]).size).toBe(3);
      expect(await store.subscription(SUB_A)).toBe(a);
    });

    it("lists the subscriptions it holds, by id", async () => {
      const store = await openMigrated();
      expect(await store.subscriptions()).toEqual([]);
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      const listed = await store.subscriptions();
      expect(listed.map(({ createdAt: _c, ...key }) => key)).toEqual([
        { id: a, ...SUB_A },
        { id: b, ...SUB_B },
      ]);
      for (const row of listed) expect(Number.isNaN(Date.parse(row.createdAt))).toBe(false);
    });

    it("gives concurrent first calls for one key the same id", async () => {
      const store = await openMigrated();
      const ids = await Promise.all([store.subscription(SUB_A), store.subscription(SUB_A)]);
      expect(ids[0]).toBe(ids[1]);
    });

    it("keeps separate rows for the same uid in two subscriptions", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      const inA = application(42, { name: "In A" });
      const inB = application(42, { name: "In B" });
      expect(await store.upsertApplications([inA], context(a, at(1)))).toEqual({
        added: 1,
        updated: 0,
        unchanged: 0,
      });
      expect(await store.upsertApplications([inB], context(b, at(2)))).toEqual({
        added: 1,
        updated: 0,
        unchanged: 0,
      });
      expect(await recordsOf(store.applications({ subscriptionId: a }))).toEqual([inA]);
      expect(await recordsOf(store.applications({ subscriptionId: b }))).toEqual([inB]);
      const all = await collect(store.applications());
      expect(all.map((row) => [row.subscriptionId, row.record.name]).sort()).toEqual(
        [
          [a, "In A"],
          [b, "In B"],
        ].sort(),
      );
    });
  });

  function kindTests<T extends { uid: string }>(kind: Kind<T>): void {
    describe(kind.object, () => {
      it("counts added, updated and unchanged records exactly", async () => {
        const { store, sub } = await withSubscription();
        const [one, two, three] = [kind.make(1), kind.make(2), kind.make(3)];
        const counts = (added: number, updated: number, unchanged: number) => ({ added, updated, unchanged });
        expect(await kind.upsert(store, [one, two, three], context(sub, at(1)))).toEqual(counts(3, 0, 0));
        expect(await kind.upsert(store, [one, two, three], context(sub, at(2)))).toEqual(counts(0, 0, 3));
        const second = [one, kind.change(two), three];
        expect(await kind.upsert(store, second, context(sub, at(3)))).toEqual(counts(0, 1, 2));
        expect(await recordsOf(kind.list(store))).toEqual(sorted(second));
        // One of each in one batch.
        const third = [one, kind.make(4), kind.change(three)];
        expect(await kind.upsert(store, third, context(sub, at(4)))).toEqual(counts(1, 1, 1));
        expect(await kind.upsert(store, [], context(sub, at(5)))).toEqual(counts(0, 0, 0));
      });

      it("returns every field as written: arrays, absent optionals, booleans, numbers, hostile text", async () => {
        const { store, sub } = await withSubscription();
        const records = kind.variants();
        await kind.upsert(store, records, context(sub, at(1)));
        expect(await recordsOf(kind.list(store))).toEqual(sorted(records));
        // The tables survived the hostile text, and a second write sees it as unchanged.
        expect(await kind.upsert(store, records, context(sub, at(2)))).toEqual({
          added: 0,
          updated: 0,
          unchanged: records.length,
        });
      });

      it("keeps firstSeenAt from the first write and lastSeenAt from the last", async () => {
        const { store, sub } = await withSubscription();
        const one = kind.make(1);
        const two = kind.make(2);
        await kind.upsert(store, [one, two], context(sub, at(1)));
        await kind.upsert(store, [one], context(sub, at(2)));
        await kind.upsert(store, [kind.change(one)], context(sub, at(3)));
        const rows = await rowsOf(kind.list(store));
        expect(rows).toEqual([
          {
            record: kind.change(one),
            subscriptionId: sub,
            source: "api",
            firstSeenAt: at(1),
            lastSeenAt: at(3),
            vanishedAt: undefined,
          },
          {
            record: two,
            subscriptionId: sub,
            source: "api",
            firstSeenAt: at(1),
            lastSeenAt: at(1),
            vanishedAt: undefined,
          },
        ]);
      });

      it("stores the last of two records with the same uid in one batch (overlapping pages)", async () => {
        const { store, sub } = await withSubscription();
        const first = kind.make(1);
        expect(await kind.upsert(store, [first, kind.change(first)], context(sub, at(1)))).toEqual({
          added: 1,
          updated: 0,
          unchanged: 0,
        });
        expect(await recordsOf(kind.list(store))).toEqual([kind.change(first)]);
      });

      it("stores the source of the write", async () => {
        const { store, sub } = await withSubscription();
        await kind.upsert(store, [kind.make(1)], { ...context(sub, at(1)), source: "report:scan-2024.xml" });
        const [row] = await collect(kind.list(store));
        expect(row?.source).toBe("report:scan-2024.xml");
      });

      it("writes and reads batches larger than the bound-parameter limits (2500 rows)", async () => {
        const { store, sub } = await withSubscription();
        const many = Array.from({ length: 2500 }, (_, i) => kind.make(i + 1));
        expect(await kind.upsert(store, many, context(sub, at(1)))).toEqual({
          added: 2500,
          updated: 0,
          unchanged: 0,
        });
        expect(await kind.upsert(store, many, context(sub, at(2)))).toEqual({
          added: 0,
          updated: 0,
          unchanged: 2500,
        });
        const changed = many.map((record) => kind.change(record));
        expect(await kind.upsert(store, changed, context(sub, at(3)))).toEqual({
          added: 0,
          updated: 2500,
          unchanged: 0,
        });
        const rows = await rowsOf(kind.list(store));
        expect(rows).toHaveLength(2500);
        expect(rows.map((row) => row.record)).toEqual(sorted(changed));
        expect(rows.every((row) => row.firstSeenAt === at(1) && row.lastSeenAt === at(3))).toBe(true);
      });

      it("marks rows not seen since a full sync started as vanished, until they come back", async () => {
        const store = await openMigrated();
        const a = await store.subscription(SUB_A);
        const b = await store.subscription(SUB_B);
        const [one, two, three] = [kind.make(1), kind.make(2), kind.make(3)];
        await kind.upsert(store, [one, two, three], context(a, at(1)));
        await kind.upsert(store, [three], context(b, at(1)));
        // A full sync starts at minute 2 and sees one and two (two unchanged, one changed).
        await kind.upsert(store, [kind.change(one), two], context(a, at(3)));

        expect(await store.markVanished(kind.object, a, at(2), at(4))).toBe(1);
        expect((await recordsOf(kind.list(store, { subscriptionId: a }))).map((r) => r.uid)).toEqual(
          sorted([one, two]).map((r) => r.uid),
        );
        const withVanished = await rowsOf(kind.list(store, { subscriptionId: a, includeVanished: true }));
        expect(withVanished.map((row) => [row.record.uid, row.vanishedAt])).toEqual(
          sorted([one, two, three]).map((r) => [r.uid, r.uid === three.uid ? at(4) : undefined]),
        );
        // Other subscriptions are untouched, and a second pass marks nothing new.
        expect(await recordsOf(kind.list(store, { subscriptionId: b }))).toEqual([three]);
        expect(await store.markVanished(kind.object, a, at(2), at(5))).toBe(0);
        const still = await rowsOf(kind.list(store, { subscriptionId: a, includeVanished: true }));
        expect(still.find((row) => row.record.uid === three.uid)?.vanishedAt).toBe(at(4));

        // It comes back, unchanged.
        const back = await kind.upsert(store, [three], context(a, at(6)));
        expect(back.added).toBe(0);
        const [returned] = (await rowsOf(kind.list(store, { subscriptionId: a }))).filter(
          (row) => row.record.uid === three.uid,
        );
        expect(returned).toMatchObject({ vanishedAt: undefined, firstSeenAt: at(1), lastSeenAt: at(6) });
      });

      it("lists only rows last seen at or after `since`", async () => {
        const store = await openMigrated();
        const a = await store.subscription(SUB_A);
        const b = await store.subscription(SUB_B);
        const [old, recent] = [kind.make(1), kind.make(2)];
        await kind.upsert(store, [old, recent], context(a, at(1)));
        await kind.upsert(store, [recent], context(a, at(3)));
        await kind.upsert(store, [recent], context(b, at(3)));

        const uids = async (options: ListOptions) =>
          (await recordsOf(kind.list(store, options))).map((r) => r.uid);
        expect(await uids({ subscriptionId: a, since: at(3) })).toEqual([recent.uid]);
        expect(await uids({ subscriptionId: a, since: at(2) })).toEqual([recent.uid]);
        expect(await uids({ subscriptionId: a, since: at(1) })).toEqual(
          sorted([old, recent]).map((r) => r.uid),
        );
        expect(await uids({ subscriptionId: a, since: at(4) })).toEqual([]);
        expect(await uids({ since: at(3) })).toEqual([recent.uid, recent.uid]);
      });
    });
  }

  kindTests(APPLICATIONS);
  kindTests(FINDINGS);
  kindTests(DEFINITIONS);

  describe("binary evidence", () => {
    // Request headers and bodies are base64-decoded to text (lenientBase64), so a null-byte injection
    // payload or a binary upload puts U+0000 in the evidence.
    // PostgreSQL text cannot hold U+0000, so both stores keep U+FFFD in its place, and the batch goes through.
    it("stores a NUL character in evidence as U+FFFD", async () => {
      const { store, sub } = await withSubscription();
      const nul = finding(1, {
        evidence: { request: "POST /upload\n\nfile.php\u0000.jpg", response: undefined, truncated: false },
      });
      await store.upsertFindings([nul], context(sub, at(1)));
      expect(await recordsOf(store.findings())).toEqual([
        { ...nul, evidence: { ...nul.evidence, request: "POST /upload\n\nfile.php\uFFFD.jpg" } },
      ]);
    });
  });

  describe("large ids", () => {
    // Qualys ids are Longs ("Specify criteria value(s) as Long.", docs/qualys-api.md 3.6); the WAS ids
    // seen so far are near 2.5e8, so 2^31 is a few years of growth away.
    it("keeps web app, finding and owner ids beyond 32 bits", async () => {
      const { store, sub } = await withSubscription();
      const big = 3_000_000_001;
      const app = application(big, { ownerId: big + 1 });
      const found = finding(1, { id: big + 2, webAppId: big, timesDetected: 3 });
      await store.upsertApplications([app], context(sub, at(1)));
      await store.upsertFindings([found], context(sub, at(1)));
      expect(await recordsOf(store.applications())).toEqual([app]);
      expect(await recordsOf(store.findings())).toEqual([found]);
    });
  });

  describe("finding changes", () => {
    it("records one change per move of status, severity, ignored flag or last detection, with the run", async () => {
      const { store, sub } = await withSubscription();
      const run1 = await store.startRun(sub, "findings", "full", at(1));
      const base = finding(1);
      await store.upsertFindings([base], context(sub, at(1), run1));
      // A brand new finding has nothing to move from: no change row.
      expect(await store.findingChanges(sub)).toEqual([]);
      // Unchanged, and changed only outside the tracked fields: no change row.
      await store.upsertFindings([base], context(sub, at(2), run1));
      await store.upsertFindings([{ ...base, name: "renamed" }], context(sub, at(3), run1));
      expect(await store.findingChanges(sub)).toEqual([]);

      const run2 = await store.startRun(sub, "findings", "incremental", at(10));
      const fixed = { ...base, name: "renamed", status: "FIXED" };
      await store.upsertFindings([fixed], context(sub, at(11), run2));
      const severe = { ...fixed, severity: 5 as const };
      await store.upsertFindings([severe], context(sub, at(12), run2));
      const ignored = { ...severe, isIgnored: true };
      await store.upsertFindings([ignored], context(sub, at(13), run2));
      const redetected = { ...ignored, lastDetectedDate: "2024-02-01T00:00:00Z" };
      await store.upsertFindings([redetected], context(sub, at(14), undefined));
      await store.upsertFindings([redetected], context(sub, at(15), run2));

      const change = (
        changedAt: string,
        runId: number | undefined,
        moved: {
          status?: [string, string];
          severity?: [number, number];
          isIgnored?: [boolean, boolean];
          lastDetectedDate?: [string, string];
        },
        now: FindingRecord,
      ) => ({
        subscriptionId: sub,
        findingUid: base.uid,
        changedAt,
        runId,
        status: pair(moved.status, now.status),
        severity: pair(moved.severity, now.severity),
        isIgnored: pair(moved.isIgnored, now.isIgnored),
        lastDetectedDate: pair(moved.lastDetectedDate, now.lastDetectedDate),
      });
      // A field that did not move reads the same on both sides.
      function pair<V>(moved: [V, V] | undefined, current: V | undefined) {
        return moved ? { from: moved[0], to: moved[1] } : { from: current ?? null, to: current ?? null };
      }

      expect(await store.findingChanges(sub)).toEqual([
        change(at(11), run2, { status: ["NEW", "FIXED"] }, fixed),
        change(at(12), run2, { severity: [3, 5] }, severe),
        change(at(13), run2, { isIgnored: [false, true] }, ignored),
        change(
          at(14),
          undefined,
          { lastDetectedDate: ["2024-01-01T10:00:00Z", "2024-02-01T00:00:00Z"] },
          redetected,
        ),
      ]);
    });

    it("records moves to and from an absent value as null", async () => {
      const { store, sub } = await withSubscription();
      const info = finding(1, { status: undefined, severity: undefined, lastDetectedDate: undefined });
      await store.upsertFindings([info], context(sub, at(1)));
      await store.upsertFindings([{ ...info, status: "NEW", severity: 2 }], context(sub, at(2)));
      const [moved] = await store.findingChanges(sub);
      expect(moved?.status).toEqual({ from: null, to: "NEW" });
      expect(moved?.severity).toEqual({ from: null, to: 2 });
      expect(moved?.lastDetectedDate).toEqual({ from: null, to: null });
    });

    it("keeps changes per subscription", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      for (const sub of [a, b]) await store.upsertFindings([finding(1)], context(sub, at(1)));
      await store.upsertFindings([finding(1, { status: "ACTIVE" })], context(b, at(2)));
      expect(await store.findingChanges(a)).toEqual([]);
      expect((await store.findingChanges(b)).map((c) => [c.subscriptionId, c.status])).toEqual([
        [b, { from: "NEW", to: "ACTIVE" }],
      ]);
      expect(await store.findingChanges()).toHaveLength(1);
    });

    it("records a change for each of 2500 findings fixed in one batch", async () => {
      const { store, sub } = await withSubscription();
      const many = Array.from({ length: 2500 }, (_, i) => finding(i + 1));
      await store.upsertFindings(many, context(sub, at(1)));
      const counts = await store.upsertFindings(
        many.map((f) => ({ ...f, status: "FIXED" })),
        context(sub, at(2)),
      );
      expect(counts).toEqual({ added: 0, updated: 2500, unchanged: 0 });
      const changes = await store.findingChanges(sub);
      expect(changes).toHaveLength(2500);
      expect(changes.every((c) => c.status.from === "NEW" && c.status.to === "FIXED")).toBe(true);
    });
  });

  describe("transactions", () => {
    // PostgreSQL only: two connections writing at once. (SQLite has one writer at a time; a second connection in
    // this process would wait out its busy timeout on the thread the first one needs.)
    (db.dialect === "postgres" ? it : it.skip)(
      "a record another writer inserted first counts as unchanged, not added a second time",
      async () => {
        const { store: first, sub } = await withSubscription();
        const second = await openMigrated();
        const record = finding(1);
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let written!: () => void;
        const inserted = new Promise<void>((resolve) => {
          written = resolve;
        });
        // The first writer inserts and holds its transaction open...
        const byFirst = first.transaction(async (tx) => {
          const counts = await tx.upsertFindings([record], context(sub, at(1)));
          written();
          await held;
          return counts;
        });
        await inserted;
        // ...the second reads no such row yet and tries to insert it: PostgreSQL makes it wait for the first.
        const bySecond = second.upsertFindings([record], context(sub, at(2)));
        const watcher = new pg.Client({ connectionString: db.location });
        await watcher.connect();
        try {
          for (let i = 0; i < 400; i++) {
            const { rows } = await watcher.query<{ waiting: number }>(
              "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
            );
            if ((rows[0]?.waiting ?? 0) > 0) break;
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        } finally {
          await watcher.end();
        }
        release();
        expect(await byFirst).toEqual({ added: 1, updated: 0, unchanged: 0 });
        expect(await bySecond).toEqual({ added: 0, updated: 0, unchanged: 1 });
        expect(await collect(first.findings())).toHaveLength(1);
      },
    );

    it("rolls back records and state when the work throws", async () => {
      const { store, sub } = await withSubscription();
      const failure = new Error("page 3 failed");
      await expect(
        store.transaction(async (tx) => {
          await tx.upsertFindings([finding(1), finding(2)], context(sub, at(1)));
          await tx.upsertApplications([application(1)], context(sub, at(1)));
          await tx.setState(sub, "findings", { cursor: at(1), checkpoint: { lastId: 2 }, updatedAt: at(1) });
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await collect(store.findings())).toEqual([]);
      expect(await collect(store.applications())).toEqual([]);
      expect(await store.getState(sub, "findings")).toBeUndefined();
    });

    it("commits records and state together when the work succeeds", async () => {
      const { store, sub } = await withSubscription();
      const state = { cursor: at(1), checkpoint: { lastId: 2 }, updatedAt: at(1) };
      const result = await store.transaction(async (tx) => {
        const counts = await tx.upsertFindings([finding(1), finding(2)], context(sub, at(1)));
        await tx.setState(sub, "findings", state);
        return counts;
      });
      expect(result).toEqual({ added: 2, updated: 0, unchanged: 0 });
      expect(await recordsOf(store.findings())).toEqual(sorted([finding(1), finding(2)]));
      expect(await store.getState(sub, "findings")).toEqual(state);
    });
  });

  describe("stream state", () => {
    it("round-trips cursor, checkpoint and updatedAt per subscription and stream", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      expect(await store.getState(a, "findings")).toBeUndefined();

      const findingsA = {
        cursor: at(1),
        checkpoint: {
          lastId: 123_456_789,
          page: 3,
          done: false,
          note: HOSTILE,
          nested: { ids: [1, 2], at: null },
        },
        updatedAt: at(2),
      };
      const webappsA = { cursor: undefined, checkpoint: undefined, updatedAt: at(3) };
      const findingsB = { cursor: at(4), checkpoint: undefined, updatedAt: at(5) };
      await store.setState(a, "findings", findingsA);
      await store.setState(a, "webapps", webappsA);
      await store.setState(b, "findings", findingsB);
      expect(await store.getState(a, "findings")).toEqual(findingsA);
      expect(await store.getState(a, "webapps")).toEqual(webappsA);
      expect(await store.getState(b, "findings")).toEqual(findingsB);
      expect(await store.getState(b, "webapps")).toBeUndefined();

      // Overwrite: the checkpoint of a finished run is cleared.
      const finished = { cursor: at(6), checkpoint: undefined, updatedAt: at(7) };
      await store.setState(a, "findings", finished);
      expect(await store.getState(a, "findings")).toEqual(finished);
      expect(await store.getState(b, "findings")).toEqual(findingsB);
    });
  });

  describe("sync runs", () => {
    it("round-trips the stats of a finished run, per subscription", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      const run = await store.startRun(a, "findings", "full", at(1));
      const other = await store.startRun(b, "webapps", "incremental", at(2));
      expect(run).not.toBe(other);

      const [running] = await store.runs(a);
      expect(running).toMatchObject({
        id: run,
        subscriptionId: a,
        stream: "findings",
        mode: "full",
        startedAt: at(1),
        endedAt: undefined,
      });

      const stats: SyncRunStats = {
        status: "failed",
        added: 10,
        updated: 3,
        unchanged: 2500,
        vanished: 1,
        apiCalls: 42,
        retries: 2,
        errors: ["HTTP 503 from /qps/rest/3.0/search/was/finding", `quirk: ${HOSTILE} ${UNICODE}`],
      };
      await store.finishRun(run, stats, at(9));
      expect(await store.runs(a)).toEqual([
        {
          id: run,
          subscriptionId: a,
          stream: "findings",
          mode: "full",
          startedAt: at(1),
          endedAt: at(9),
          ...stats,
        },
      ]);
      const succeeded: SyncRunStats = { ...stats, status: "succeeded", errors: [] };
      await store.finishRun(other, succeeded, at(10));
      expect(await store.runs(b)).toEqual([
        {
          id: other,
          subscriptionId: b,
          stream: "webapps",
          mode: "incremental",
          startedAt: at(2),
          endedAt: at(10),
          ...succeeded,
        },
      ]);
      expect((await store.runs()).map((r) => r.id).sort((x, y) => x - y)).toEqual(
        [run, other].sort((x, y) => x - y),
      );
    });
  });

  describe("missing definitions", () => {
    it("lists QIDs of stored findings without a stored definition, per subscription, in numeric order", async () => {
      const store = await openMigrated();
      const a = await store.subscription(SUB_A);
      const b = await store.subscription(SUB_B);
      const c = await store.subscription({ ...SUB_A, username: "carol" });
      const qids = [150_003, 6, 150_001, 42, 150_001];
      await store.upsertFindings(
        qids.map((qid, i) => finding(i, { qid })),
        context(a, at(1)),
      );
      await store.upsertDefinitions([definition(150_001)], context(a, at(1)));
      // Another subscription's definition does not cover subscription A's finding.
      await store.upsertDefinitions([definition(6)], context(b, at(1)));
      await store.upsertFindings([finding(1, { qid: 777 })], context(b, at(1)));

      expect(await store.missingDefinitionQids(a)).toEqual([6, 42, 150_003]);
      expect(await store.missingDefinitionQids(b)).toEqual([777]);
      expect(await store.missingDefinitionQids(c)).toEqual([]);
    });
  });

  describe("location", () => {
    it("names the database it opened", async () => {
      const store = await openMigrated();
      if (db.dialect === "sqlite") expect(store.location).toBe(db.location);
      else expect(store.location).toBe(db.location.replace(/^postgresql:/, "postgres:"));
    });

    it.runIf(db.dialect === "postgres")("has no password when the URL had one", async () => {
      // Trust authentication ignores the password, so a made-up one still connects.
      const url = new URL(db.location);
      url.username = url.username || "postgres";
      url.password = "s3cr3t-pw";
      const store = await openMigrated(url.href);
      expect(store.dialect).toBe("postgres");
      expect(store.location).not.toContain("s3cr3t-pw");
      expect(store.location).toContain(`${url.username}@${url.host}${url.pathname}`);

      const postgresql = await openMigrated(url.href.replace(/^postgres:/, "postgresql:"));
      expect(postgresql.dialect).toBe("postgres");
      expect(postgresql.location).not.toContain("s3cr3t-pw");
    });
  });
}

describeEachDatabase(storeSuite);

describe("SQLite with another writer (no server needed)", () => {
  it("a write that waited out the busy timeout names the running sync instead of a bare 'database is locked'", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "qc-store-"));
    const file = path.join(dir, "busy.db");
    const store = await openStore(`sqlite:${file}`, { busyTimeoutMs: 50 });
    const other = new BetterSqlite3(file);
    try {
      await store.migrate();
      const sub = await store.subscription(SUB_A);
      const runId = await store.startRun(sub, "findings", "incremental", at(3));
      other.exec("BEGIN IMMEDIATE");
      const writing = store.transaction((tx) => tx.upsertApplications([application(1)], context(sub, at(4))));
      await expect(writing).rejects.toThrow(
        `sqlite:${file}: another sync (run ${runId}, started at ${at(3)}) holds the database`,
      );
      other.exec("ROLLBACK");
      // Nothing was lost: the write goes through once the other writer is done.
      await store.transaction((tx) => tx.upsertApplications([application(1)], context(sub, at(5))));
      expect(await recordsOf(store.applications())).toEqual([application(1)]);
    } finally {
      other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("openStore locations (no server needed)", () => {
  it("opens a bare .db path and sqlite::memory: as SQLite", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "qc-store-"));
    try {
      const file = path.join(dir, "bare.db");
      const bare = await openStore(file);
      expect(bare.dialect).toBe("sqlite");
      expect(bare.location).toBe(`sqlite:${file}`);
      await bare.close();

      const memory = await openStore("sqlite::memory:");
      try {
        await memory.migrate();
        const sub = await memory.subscription(SUB_A);
        await memory.upsertApplications([application(1)], context(sub, at(1)));
        expect(await recordsOf(memory.applications())).toEqual([application(1)]);
      } finally {
        await memory.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("removes the password from PostgreSQL locations", () => {
    expect(redactLocation("postgres://postgres:secret@127.0.0.1:5432/x")).toBe(
      "postgres://postgres@127.0.0.1:5432/x",
    );
    expect(redactLocation("postgresql://u:p%40ss@db.internal/x")).toBe("postgresql://u@db.internal/x");
    expect(redactLocation("postgres://u@127.0.0.1/x")).toBe("postgres://u@127.0.0.1/x");
    expect(redactLocation("sqlite:./qualys.db")).toBe("sqlite:./qualys.db");
  });

  it("removes a password given as a query parameter", () => {
    expect(redactLocation("postgres://u@127.0.0.1/x?sslmode=disable&password=secret")).not.toContain(
      "secret",
    );
  });

  it("keeps the password out of the error when PostgreSQL cannot be reached", async () => {
    // Port 1 on the loopback: refused at once.
    const opening = openStore("postgres://postgres:secret@127.0.0.1:1/x");
    await expect(opening).rejects.toThrow(/cannot connect/);
    await expect(opening).rejects.not.toThrow(/secret/);
  });

  it("rejects a location that is neither SQLite nor PostgreSQL", async () => {
    await expect(openStore("mysql://u@127.0.0.1/x")).rejects.toThrow(/not a database location/);
  });

  it("keeps the password out of the error for an unknown scheme", async () => {
    await expect(openStore("postgress://u:secret@127.0.0.1/x")).rejects.not.toThrow(/secret/);
  });
});
