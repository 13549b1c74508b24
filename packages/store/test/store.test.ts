import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  type ApplicationRecord,
  type DefinitionRecord,
  EVIDENCE_MAX,
  type FindingRecord,
  fingerprint,
  type ReportCounts,
  type ReportProvenance,
} from "@qualys-connector/model";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
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
import { contentHash, findingRow } from "../src/rows.js";
import { type Database, migrations } from "../src/schema.js";
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
  /** What a listed row has beyond StoredRow (web apps: their labels). */
  rowExtra: object;
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
  rowExtra: { labels: [] },
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
  rowExtra: {},
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
  rowExtra: {},
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

  describe("migrations 002 and 003", () => {
    /**
     * A database left by an older version of the store: migrated up to `last` only, with `findings` written as
     * that version wrote them (no columns of later migrations). Returns the subscription id.
     */
    async function olderDatabase(last: string, findings: readonly FindingRecord[]): Promise<number> {
      const kysely =
        db.dialect === "sqlite"
          ? new Kysely<Database>({
              dialect: new SqliteDialect({
                database: new BetterSqlite3(db.location.slice("sqlite:".length)),
              }),
            })
          : new Kysely<Database>({
              dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.location, max: 1 }) }),
            });
      try {
        const { error } = await new Migrator({
          db: kysely,
          provider: { getMigrations: async () => migrations(db.dialect) },
          migrationTableName: "schema_migrations",
          migrationLockTableName: "schema_migrations_lock",
        }).migrateTo(last);
        if (error) throw error;
        const { id } = await kysely
          .insertInto("subscriptions")
          .values({ api_url: SUB_A.apiUrl, username: SUB_A.username, created_at: at(0) } as never)
          .returning("id")
          .executeTakeFirstOrThrow();
        for (const record of findings) {
          const { authenticated: _a, fingerprint: _f, ...older } = findingRow(record);
          await kysely
            .insertInto("findings")
            .values({
              subscription_id: Number(id),
              uid: record.uid,
              source: "api",
              content_hash: contentHash(record),
              first_seen_at: at(1),
              last_seen_at: at(1),
              vanished_at: null,
              ...older,
            } as never)
            .execute();
        }
        return Number(id);
      } finally {
        await kysely.destroy();
      }
    }

    it("002 rewrites the bare WASC numbers of findings stored before as WASC-n, and leaves the rest alone", async () => {
      const old = finding(1, { wasc: ["22", "WASC-8"], owasp: ["3"] });
      const none = finding(2, { wasc: [] });
      await olderDatabase("001_initial", [old, none]);
      const store = await openMigrated();
      const rows = await recordsOf(store.findings());
      expect(rows.find((r) => r.uid === old.uid)).toEqual({ ...old, wasc: ["WASC-22", "WASC-8"] });
      expect(rows.find((r) => r.uid === none.uid)).toEqual(none);
    });

    it("003 gives every finding stored before its fingerprint (past a page of 1000), web apps no labels", async () => {
      const older = Array.from({ length: 1203 }, (_, i) =>
        // Some without a URL (parameters tell them apart): a null column fingerprints as an absent value.
        i % 5 === 0
          ? finding(i + 1, { webAppId: 1 + (i % 3), url: undefined, param: `p${i}` })
          : finding(i + 1, { webAppId: 1 + (i % 3), url: `https://app.test/p/${i}` }),
      );
      const sub = await olderDatabase("002_wasc_codes", older);
      const store = await openMigrated();
      // The fingerprints are found: a report finding without a uniqueId matches each stored one.
      const again = older.map((f) => ({ ...f, uid: `report-${f.uid}`, name: "renamed" }));
      const counts = await store.upsertFindings(again, { ...context(sub, at(5)), matchByFingerprint: true });
      expect(counts).toEqual({ added: 0, updated: older.length, unchanged: 0 });
      const stored = await recordsOf(store.findings());
      expect(stored).toEqual(sorted(older.map((f) => ({ ...f, name: "renamed" }))));
      await store.upsertApplications([application(1)], context(sub, at(5)));
      expect((await collect(store.applications()))[0]?.labels).toEqual([]);
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
            ...kind.rowExtra,
            record: kind.change(one),
            subscriptionId: sub,
            source: "api",
            firstSeenAt: at(1),
            lastSeenAt: at(3),
            vanishedAt: undefined,
          },
          {
            ...kind.rowExtra,
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
        await kind.upsert(store, [kind.make(1)], { ...context(sub, at(1)), source: "report" });
        const [row] = await collect(kind.list(store));
        expect(row?.source).toBe("report");
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

  describe("authenticated", () => {
    it("stores whether the scanner was logged in: yes, no, unknown", async () => {
      const { store, sub } = await withSubscription();
      const records = [
        finding(1, { authenticated: true }),
        finding(2, { authenticated: false }),
        finding(3, { authenticated: undefined }),
      ];
      await store.upsertFindings(records, context(sub, at(1)));
      expect(await recordsOf(store.findings())).toEqual(sorted(records));
    });
  });

  describe("labels", () => {
    it("adds a write's labels to web apps as a set union; a write without labels keeps them", async () => {
      const { store, sub } = await withSubscription();
      const labelsOf = async () =>
        Object.fromEntries((await collect(store.applications())).map((row) => [row.record.uid, row.labels]));
      expect(
        await store.upsertApplications([application(1)], { ...context(sub, at(1)), labels: ["Network A"] }),
      ).toEqual({ added: 1, updated: 0, unchanged: 0 });
      // Same record, a new label: the row changes (counted updated), the old label stays.
      expect(
        await store.upsertApplications([application(1), application(2)], {
          ...context(sub, at(2)),
          labels: ["Network B", "Network A"],
        }),
      ).toEqual({ added: 1, updated: 1, unchanged: 0 });
      expect(await labelsOf()).toEqual({ "1": ["Network A", "Network B"], "2": ["Network B", "Network A"] });
      // Labels it has already: unchanged. No labels, even with a changed record: the labels stay.
      expect(
        await store.upsertApplications([application(1)], { ...context(sub, at(3)), labels: ["Network B"] }),
      ).toEqual({ added: 0, updated: 0, unchanged: 1 });
      await store.upsertApplications([application(1, { name: "renamed" })], context(sub, at(4)));
      expect(await labelsOf()).toEqual({ "1": ["Network A", "Network B"], "2": ["Network B", "Network A"] });
      expect((await recordsOf(store.applications()))[0]?.name).toBe("renamed");
    });
  });

  describe("fingerprint matching", () => {
    const stored = finding(1, { url: "https://App1.example.test:443/page/1?q=1#top" });
    /** The same finding as a report without a uniqueId gives it: its uid is not the stored one. */
    const fromReport = (fields: Partial<FindingRecord> = {}) =>
      finding(1, {
        uid: "fp-0001",
        url: "https://app1.example.test/page/1?q=2",
        lastDetectedDate: "2024-02-01T00:00:00Z",
        ...fields,
      });

    it("updates the stored row and keeps its uid when the fingerprint matches", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([stored], context(sub, at(1)));
      const told: [string, string][] = [];
      const counts = await store.upsertFindings([fromReport()], {
        ...context(sub, at(2)),
        source: "report",
        matchByFingerprint: true,
        onRecord: (uid, outcome) => told.push([uid, outcome]),
      });
      expect(counts).toEqual({ added: 0, updated: 1, unchanged: 0 });
      expect(told).toEqual([[stored.uid, "updated"]]);
      const rows = await rowsOf(store.findings());
      expect(rows.map((r) => [r.record.uid, r.record.lastDetectedDate, r.source])).toEqual([
        [stored.uid, "2024-02-01T00:00:00Z", "report"],
      ]);
    });

    it("keyed-rows: a synced finding meets the row an import keyed by its fingerprint, and only such a row", async () => {
      const { store, sub } = await withSubscription();
      const print = fingerprint({ target: "1", qid: stored.qid, url: stored.url, param: stored.param });
      // An import stored it first, from a report record without a uniqueId: its uid is its fingerprint.
      await store.upsertFindings([{ ...stored, uid: print }], { ...context(sub, at(1)), source: "report" });
      const api = { ...stored, status: "ACTIVE", lastDetectedDate: "2024-03-01T00:00:00Z" };
      expect(
        await store.upsertFindings([api], { ...context(sub, at(2)), matchByFingerprint: "keyed-rows" }),
      ).toEqual({ added: 0, updated: 1, unchanged: 0 });
      expect((await rowsOf(store.findings())).map((r) => [r.record.uid, r.source, r.record.status])).toEqual([
        [print, "api", "ACTIVE"],
      ]);
      // Two findings that both have a uniqueId are never joined, even with the same fingerprint.
      const twin = { ...stored, uid: "9b0f5c1e-0000-4000-8000-999999999999" };
      await store.upsertFindings([twin], { ...context(sub, at(3)), matchByFingerprint: "keyed-rows" });
      const other = { ...stored, uid: "9b0f5c1e-0000-4000-8000-888888888888", param: "other" };
      await store.upsertFindings([other], context(sub, at(4)));
      const again = { ...other, uid: "9b0f5c1e-0000-4000-8000-777777777777" };
      expect(
        await store.upsertFindings([again], { ...context(sub, at(5)), matchByFingerprint: "keyed-rows" }),
      ).toEqual({ added: 1, updated: 0, unchanged: 0 });
    });

    it("adds a new row when nothing matches, and never matches without the option", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([stored], context(sub, at(1)));
      expect(
        await store.upsertFindings([fromReport({ param: "other" })], {
          ...context(sub, at(2)),
          matchByFingerprint: true,
        }),
      ).toEqual({ added: 1, updated: 0, unchanged: 0 });
      expect(await store.upsertFindings([fromReport({ uid: "fp-0002" })], context(sub, at(3)))).toEqual({
        added: 1,
        updated: 0,
        unchanged: 0,
      });
      expect(await collect(store.findings())).toHaveLength(3);
    });

    it("matches only the subscription's own findings", async () => {
      const { store, sub } = await withSubscription();
      const other = await store.subscription(SUB_B);
      await store.upsertFindings([stored], context(other, at(1)));
      expect(
        await store.upsertFindings([fromReport()], { ...context(sub, at(2)), matchByFingerprint: true }),
      ).toEqual({ added: 1, updated: 0, unchanged: 0 });
    });
  });

  describe("merge: newer-detection", () => {
    const merge = (sub: number, now: string, runId?: number): WriteContext => ({
      ...context(sub, now, runId),
      source: "report",
      merge: "newer-detection",
    });
    const api = finding(1, {
      status: "ACTIVE",
      lastDetectedDate: "2024-02-01T00:00:00Z",
      fixedDate: undefined,
      timesDetected: 4,
      evidence: { request: "GET /api", response: "200 OK", truncated: false },
    });
    /** A scan report's record: no status, no times detected, no evidence. */
    const report = (lastDetectedDate: string, fields: Partial<FindingRecord> = {}) =>
      finding(1, {
        status: undefined,
        lastDetectedDate,
        timesDetected: undefined,
        name: "Name from the report",
        evidence: { request: undefined, response: undefined, truncated: false },
        ...fields,
      });

    it("leaves a row last detected after the incoming record as it is", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([api], context(sub, at(1)));
      expect(await store.upsertFindings([report("2024-01-15T00:00:00Z")], merge(sub, at(2), 7))).toEqual({
        added: 0,
        updated: 0,
        unchanged: 1,
      });
      expect(await recordsOf(store.findings())).toEqual([api]);
      expect(await store.findingChanges(sub)).toEqual([]);
    });

    it("takes an as-new or newer record's fields and keeps the stored values of those it lacks", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([api], context(sub, at(1)));
      // As new: the same detection given in another form of the same time.
      expect(await store.upsertFindings([report("2024-02-01T00:00:00.000Z")], merge(sub, at(2)))).toEqual({
        added: 0,
        updated: 1,
        unchanged: 0,
      });
      const [row] = await rowsOf(store.findings());
      expect(row?.record).toEqual({
        ...api,
        name: "Name from the report",
        lastDetectedDate: "2024-02-01T00:00:00.000Z",
      });
      expect(row?.source).toBe("report");
      // Newer, with a severity change: recorded in the history with the run.
      await store.upsertFindings([report("2024-03-01T00:00:00Z", { severity: 4 })], merge(sub, at(3), 9));
      expect((await recordsOf(store.findings()))[0]).toMatchObject({
        status: "ACTIVE",
        severity: 4,
        timesDetected: 4,
        lastDetectedDate: "2024-03-01T00:00:00Z",
        evidence: api.evidence,
      });
      const changes = await store.findingChanges(sub);
      expect(changes.at(-1)).toMatchObject({
        runId: 9,
        status: { from: "ACTIVE", to: "ACTIVE" },
        severity: { from: 3, to: 4 },
        lastDetectedDate: { from: "2024-02-01T00:00:00.000Z", to: "2024-03-01T00:00:00Z" },
      });
    });

    it("keeps the stored Qualys finding id when the incoming record knows none", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([api], context(sub, at(1)));
      await store.upsertFindings([report("2024-03-01T00:00:00Z", { id: 0 })], merge(sub, at(2)));
      expect((await recordsOf(store.findings()))[0]?.id).toBe(api.id);
    });

    it("keeps a stored definition's KnowledgeBase fields that a report's glossary lacks", async () => {
      const { store, sub } = await withSubscription();
      const kb = definition(150_001, { cves: ["CVE-2024-0001"], cvssV3Base: 7.5, solution: "Patch it." });
      await store.upsertDefinitions([kb], context(sub, at(1)));
      const glossary = definition(150_001, {
        title: "Title from the report",
        cves: [],
        cvssV3Base: undefined,
        solution: undefined,
      });
      await store.upsertDefinitions([glossary], merge(sub, at(2)));
      expect(await recordsOf(store.definitions())).toEqual([{ ...kb, title: "Title from the report" }]);
      // Without the merge option (a sync), the incoming definition replaces the stored one as before.
      await store.upsertDefinitions([glossary], context(sub, at(3)));
      expect(await recordsOf(store.definitions())).toEqual([glossary]);
    });

    it("reopens a FIXED finding detected again after its fix by a record without a status", async () => {
      const { store, sub } = await withSubscription();
      const fixed = { ...api, status: "FIXED", fixedDate: "2024-02-10T00:00:00Z" };
      await store.upsertFindings([fixed], context(sub, at(1)));
      // Detected before the fix: the report is old news, the finding stays fixed.
      await store.upsertFindings([report("2024-02-05T00:00:00Z")], merge(sub, at(2)));
      expect((await recordsOf(store.findings()))[0]).toMatchObject({ status: "FIXED" });
      await store.upsertFindings([report("2024-03-01T00:00:00Z")], merge(sub, at(3), 11));
      expect((await recordsOf(store.findings()))[0]).toMatchObject({
        status: "REOPENED",
        fixedDate: undefined,
        lastDetectedDate: "2024-03-01T00:00:00Z",
      });
      expect((await store.findingChanges(sub)).at(-1)).toMatchObject({
        runId: 11,
        status: { from: "FIXED", to: "REOPENED" },
      });
    });

    it("takes the incoming status when it has one", async () => {
      const { store, sub } = await withSubscription();
      await store.upsertFindings([api], context(sub, at(1)));
      await store.upsertFindings(
        [report("2024-03-01T00:00:00Z", { status: "FIXED", fixedDate: "2024-03-01T00:00:00Z" })],
        merge(sub, at(2)),
      );
      expect((await recordsOf(store.findings()))[0]).toMatchObject({ status: "FIXED" });
    });

    it("inserts a new finding as it is", async () => {
      const { store, sub } = await withSubscription();
      const record = report("2024-03-01T00:00:00Z");
      expect(await store.upsertFindings([record], merge(sub, at(1)))).toEqual({
        added: 1,
        updated: 0,
        unchanged: 0,
      });
      expect(await recordsOf(store.findings())).toEqual([record]);
    });
  });

  describe("report imports", () => {
    const provenance = (fields: Partial<ReportProvenance> = {}): ReportProvenance => ({
      kind: "WAS_SCAN_REPORT",
      fileName: "scan.xml",
      sha256: "a".repeat(64),
      bytes: 12_345_678_901,
      reportId: undefined,
      title: `Scan ${UNICODE}`,
      generatedAt: "2024-02-01T00:00:00Z",
      scanIds: ["was/1700000000000.123"],
      webAppIds: [1, 22],
      ...fields,
    });
    const counts: ReportCounts = { applications: 2, definitions: 1, findings: { VULNERABILITY: 3 } };

    it("records imports and finds them by SHA-256 or report id, per subscription", async () => {
      const { store, sub } = await withSubscription();
      const other = await store.subscription(SUB_B);
      const first = await store.recordReportImport({
        subscriptionId: sub,
        runId: 3,
        provenance: provenance(),
        counts,
        importedAt: at(1),
      });
      const pulled = await store.recordReportImport({
        subscriptionId: sub,
        runId: undefined,
        provenance: provenance({
          kind: "WAS_WEBAPP_REPORT",
          sha256: "b".repeat(64),
          reportId: 987_654,
          title: undefined,
          generatedAt: undefined,
          scanIds: [],
        }),
        counts,
        importedAt: at(2),
      });
      await store.recordReportImport({
        subscriptionId: other,
        runId: undefined,
        provenance: provenance({ sha256: "c".repeat(64) }),
        counts,
        importedAt: at(3),
      });
      const firstRow = {
        id: first,
        subscriptionId: sub,
        runId: 3,
        ...provenance(),
        importedAt: at(1),
        counts,
      };
      expect(await store.findReportImport(sub, { sha256: "a".repeat(64) })).toEqual(firstRow);
      expect((await store.findReportImport(sub, { reportId: 987_654 }))?.id).toBe(pulled);
      expect(await store.findReportImport(sub, { sha256: "c".repeat(64) })).toBeUndefined();
      expect(await store.findReportImport(other, { sha256: "a".repeat(64) })).toBeUndefined();
      expect(await store.findReportImport(sub, { reportId: 1 })).toBeUndefined();
      expect((await store.reportImports(sub)).map((r) => r.id)).toEqual([first, pulled]);
      expect(await store.reportImports()).toHaveLength(3);
      expect((await store.reportImports(sub))[1]).toMatchObject({
        kind: "WAS_WEBAPP_REPORT",
        reportId: 987_654,
        title: undefined,
        generatedAt: undefined,
        runId: undefined,
      });
    });

    it("tells the latest generation time of the imports covering a web app, as times", async () => {
      const { store, sub } = await withSubscription();
      const record = (webAppIds: number[], generatedAt: string | undefined, sha: string) =>
        store.recordReportImport({
          subscriptionId: sub,
          runId: undefined,
          provenance: provenance({ webAppIds, generatedAt, sha256: sha }),
          counts,
          importedAt: at(1),
        });
      await record([1, 22], "2024-02-01T00:00:00Z", "1");
      await record([22], "2024-03-01T00:00:00.000Z", "2");
      await record([222, 2], "2024-05-01T00:00:00Z", "3");
      await record([1], undefined, "4");
      expect(await store.latestReportGeneratedAt(sub, 1)).toBe("2024-02-01T00:00:00Z");
      expect(await store.latestReportGeneratedAt(sub, 22)).toBe("2024-03-01T00:00:00.000Z");
      expect(await store.latestReportGeneratedAt(sub, 2)).toBe("2024-05-01T00:00:00Z");
      expect(await store.latestReportGeneratedAt(sub, 3)).toBeUndefined();
      expect(await store.latestReportGeneratedAt(await store.subscription(SUB_B), 1)).toBeUndefined();
    });
  });

  describe("closing absent findings", () => {
    it("closes the web app's open vulnerabilities and sensitive content absent from the report, with history", async () => {
      const { store, sub } = await withSubscription();
      const other = await store.subscription(SUB_B);
      const open = (n: number, fields: Partial<FindingRecord> = {}) =>
        finding(n, { status: "ACTIVE", lastDetectedDate: "2024-01-10T00:00:00Z", ...fields });
      const records = [
        open(1), // absent: closed
        open(2, { type: "SENSITIVE_CONTENT", status: undefined }), // absent, no status: closed
        open(3), // present in the report: kept
        open(4, { lastDetectedDate: "2024-02-02T00:00:00Z" }), // detected after the report: kept
        open(5, { type: "INFORMATION_GATHERED", status: undefined }), // not a vulnerability: kept
        open(6, { status: "FIXED", fixedDate: "2024-01-11T00:00:00Z" }), // already fixed: kept
        open(7, { webAppId: 2 }), // another web app: kept
        open(8, { lastDetectedDate: "2024-02-01T00:00:00.000Z" }), // detected at the report's time: closed
      ];
      await store.upsertFindings(records, context(sub, at(1)));
      await store.upsertFindings([open(1)], context(other, at(1)));
      const closed = await store.closeAbsentFindings({
        subscriptionId: sub,
        webAppId: 1,
        present: new Set([records[2]?.uid ?? ""]),
        detectedUntil: "2024-02-01T00:00:00Z",
        fixedDate: "2024-02-01T00:00:00Z",
        now: at(2),
        runId: 5,
      });
      const uid = (n: number) => finding(n).uid;
      expect(closed.sort()).toEqual([uid(1), uid(2), uid(8)].sort());
      const rows = await recordsOf(store.findings({ subscriptionId: sub }));
      const byUid = new Map(rows.map((r) => [r.uid, r]));
      for (const n of [1, 2, 8])
        expect(byUid.get(uid(n))).toEqual({
          ...records[n - 1],
          status: "FIXED",
          fixedDate: "2024-02-01T00:00:00Z",
        });
      for (const n of [3, 4, 5, 6, 7]) expect(byUid.get(uid(n))).toEqual(records[n - 1]);
      expect((await recordsOf(store.findings({ subscriptionId: other })))[0]?.status).toBe("ACTIVE");
      const changes = await store.findingChanges(sub);
      expect(changes.map((c) => [c.findingUid, c.status.from, c.status.to, c.runId]).sort()).toEqual(
        [
          [uid(1), "ACTIVE", "FIXED", 5],
          [uid(2), null, "FIXED", 5],
          [uid(8), "ACTIVE", "FIXED", 5],
        ].sort(),
      );
      // The stored content hash follows the closing: the same closed record again is unchanged.
      const again = byUid.get(uid(1));
      if (!again) throw new Error("closed finding missing");
      expect(await store.upsertFindings([again], context(sub, at(3)))).toEqual({
        added: 0,
        updated: 0,
        unchanged: 1,
      });
    });

    it("closes more findings than one page", async () => {
      const { store, sub } = await withSubscription();
      const records = Array.from({ length: 1234 }, (_, i) => finding(i + 1, { status: "NEW" }));
      await store.upsertFindings(records, context(sub, at(1)));
      const closed = await store.closeAbsentFindings({
        subscriptionId: sub,
        webAppId: 1,
        present: new Set(),
        detectedUntil: "2024-06-01T00:00:00Z",
        fixedDate: "2024-06-01T00:00:00Z",
        now: at(2),
        runId: undefined,
      });
      expect(closed).toHaveLength(1234);
      expect((await recordsOf(store.findings())).every((r) => r.status === "FIXED")).toBe(true);
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
