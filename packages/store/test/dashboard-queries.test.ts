/**
 * The dashboard's read side (openStoreReader): keyset pages that neither skip nor repeat a row, filters shared by
 * page, count and export, per-application counts, and a read-only handle that cannot write (SQLite and, with
 * PG_URL, PostgreSQL).
 */

import { readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ApplicationRecord, FindingRecord } from "@qualys-connector/model";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openStore, openStoreReader, type StoreReader } from "../src/index.js";
import { openReadOnlyDatabase } from "../src/open-reader.js";
import { describeEachDatabase } from "./databases.js";

function application(n: number, fields: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    uid: String(n),
    id: n,
    name: `Web app ${n}`,
    url: `https://app${n}.example.test/`,
    ownerId: undefined,
    tags: [],
    categories: [],
    createdDate: undefined,
    updatedDate: undefined,
    ...fields,
  };
}

function finding(n: number, fields: Partial<FindingRecord> = {}): FindingRecord {
  const severity = ((n % 5) + 1) as 1 | 2 | 3 | 4 | 5;
  return {
    uid: `uid-${String(n).padStart(5, "0")}`,
    id: 1000 + n,
    webAppId: 1 + (n % 3),
    qid: 150_000 + (n % 4),
    name: `Finding ${n}`,
    type: "VULNERABILITY",
    potential: false,
    status: n % 7 === 0 ? "FIXED" : "ACTIVE",
    severity,
    severityLabel: ["Minimal", "Medium", "Serious", "Critical", "Urgent"][severity - 1],
    url: `https://app.example.test/p/${n}`,
    param: n % 2 === 0 ? "q" : undefined,
    firstDetectedDate: `2025-0${1 + (n % 9)}-01T00:00:00Z`,
    // Some without a last detection: the keyset must still visit them once.
    lastDetectedDate: n % 11 === 0 ? undefined : `2025-10-${String(1 + (n % 28)).padStart(2, "0")}T00:00:00Z`,
    lastTestedDate: `2025-11-${String(1 + (n % 3)).padStart(2, "0")}T00:00:00Z`,
    fixedDate: n % 7 === 0 ? "2025-11-01T00:00:00Z" : undefined,
    timesDetected: 1,
    isIgnored: n % 13 === 0,
    ignoredReason: undefined,
    ignoredDate: undefined,
    cwe: n % 2 === 0 ? ["CWE-79"] : ["CWE-89"],
    owasp: ["A03:2021"],
    wasc: [],
    categories: [],
    evidence: { request: `GET /p/${n}`, response: "<html>", truncated: false },
    authenticated: n % 2 === 0,
    ...fields,
  };
}

const COUNT = 120;

describeEachDatabase((database) => {
  async function filledReader(): Promise<StoreReader> {
    const store = await database.open();
    await store.migrate();
    const subscriptionId = await store.subscription({
      apiUrl: "https://qualysapi.example.test",
      username: "u",
    });
    const ctx = { subscriptionId, source: "api", now: "2025-11-05T00:00:00Z", runId: undefined };
    await store.upsertApplications([application(1), application(2, { name: "Shop" }), application(3)], ctx);
    await store.upsertFindings(
      Array.from({ length: COUNT }, (_, i) => finding(i + 1)),
      ctx,
    );
    const reader = await openStoreReader(database.location);
    return reader;
  }

  it("pages through every finding once in each sort, in order, with ignored ones left out by default", async () => {
    const reader = await filledReader();
    try {
      const expected = Array.from({ length: COUNT }, (_, i) => finding(i + 1)).filter((f) => !f.isIgnored);
      for (const sort of ["severity", "lastDetected", "firstDetected", "qid"] as const) {
        for (const direction of ["desc", "asc"] as const) {
          const seen: string[] = [];
          let after: Parameters<StoreReader["findings"]>[0]["after"];
          for (let guard = 0; guard < 100; guard++) {
            const page = await reader.findings({ filter: {}, sort, direction, limit: 7, after });
            seen.push(...page.rows.map((r) => r.record.uid));
            if (page.next === undefined) break;
            after = page.next;
          }
          expect(new Set(seen).size, `${sort} ${direction}`).toBe(seen.length);
          expect(seen.sort()).toEqual(expected.map((f) => f.uid).sort());
        }
      }
      const first = await reader.findings({ filter: {}, sort: "severity", direction: "desc", limit: 10 });
      const severities = first.rows.map((r) => r.record.severity ?? 0);
      expect(severities).toEqual([...severities].sort((a, b) => b - a));
      expect(first.rows[0]?.webAppName).toMatch(/^(Web app \d|Shop)$/);
      // The list leaves evidence to the detail page.
      expect(first.rows[0]?.record.evidence.request).toBeUndefined();
    } finally {
      await reader.close();
    }
  });

  it("filters the page, the count and the export alike", async () => {
    const reader = await filledReader();
    try {
      const filter = { webAppId: 2, severity: 5, cwe: "CWE-79" };
      const expected = Array.from({ length: COUNT }, (_, i) => finding(i + 1)).filter(
        (f) => !f.isIgnored && f.webAppId === 2 && f.severity === 5 && f.cwe.includes("CWE-79"),
      );
      expect(expected.length).toBeGreaterThan(0);
      const page = await reader.findings({ filter, sort: "severity", direction: "desc", limit: 100 });
      expect(page.rows.map((r) => r.record.uid).sort()).toEqual(expected.map((f) => f.uid).sort());
      expect(await reader.countFindings(filter)).toEqual({ count: expected.length, capped: false });
      const exported: string[] = [];
      for await (const batch of reader.exportFindings({ filter, sort: "severity", direction: "desc" }, 2))
        exported.push(...batch.map((r) => r.record.uid));
      expect(exported).toEqual(page.rows.map((r) => r.record.uid));
      // Text matches literally: a LIKE wildcard in the query is just a character.
      expect((await reader.countFindings({ text: "%" })).count).toBe(0);
      expect((await reader.countFindings({ text: "/p/12" })).count).toBeGreaterThan(0);
      const withIgnored = await reader.countFindings({ includeIgnored: true });
      expect(withIgnored.count).toBe(COUNT);
    } finally {
      await reader.close();
    }
  });

  it("lists applications with open findings by severity and their last scan, and a finding's detail", async () => {
    const reader = await filledReader();
    try {
      const page = await reader.applications({ filter: {}, sort: "name", direction: "asc", limit: 2 });
      expect(page.rows.map((r) => r.name)).toEqual(["Shop", "Web app 1"]);
      expect(page.next).toBeDefined();
      const rest = await reader.applications({
        filter: {},
        sort: "name",
        direction: "asc",
        limit: 2,
        after: page.next,
      });
      expect(rest.rows.map((r) => r.name)).toEqual(["Web app 3"]);
      const shop = page.rows[0];
      const open = Array.from({ length: COUNT }, (_, i) => finding(i + 1)).filter(
        (f) => f.webAppId === 2 && !f.isIgnored && f.status !== "FIXED" && f.severity === 5,
      );
      expect(shop?.open[5]).toBe(open.length);
      // Web app 2 holds n % 3 === 1, tested on day 1 + 1.
      expect(shop?.lastScan).toBe("2025-11-02T00:00:00Z");
      const detail = await reader.finding(shop?.subscriptionId ?? 0, "uid-00002");
      expect(detail?.record.evidence.request).toBe("GET /p/2");
      expect(detail?.webAppName).toBe("Web app 3");
      const overview = await reader.overview();
      expect(overview.bySeverity[5]).toBeGreaterThan(0);
      expect(overview.topApplications.length).toBe(3);
    } finally {
      await reader.close();
    }
  });

  it("cannot write through its handle", async () => {
    (await filledReader()).close();
    const handle = await openReadOnlyDatabase(database.location);
    try {
      // SQLite's read-only handle and PostgreSQL's read-only transactions both refuse any write.
      await expect(sql`delete from findings`.execute(handle.db)).rejects.toThrow(/read.?only/i);
      await expect(handle.timed((db) => sql`delete from findings`.execute(db))).rejects.toThrow(
        /read.?only/i,
      );
      const left = await sql<{ n: number }>`select count(*) as n from findings`.execute(handle.db);
      expect(Number(left.rows[0]?.n)).toBe(COUNT);
    } finally {
      await handle.close();
    }
  });
});

describe("openStoreReader on SQLite", () => {
  it("refuses a missing file without creating it, and a database behind the migrations with what to run", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "qc-reader-"));
    const missing = path.join(dir, "none.db");
    await expect(openStoreReader(`sqlite:${missing}`)).rejects.toThrow(/no database there/);
    expect(() => statSync(missing)).toThrow();
    const old = path.join(dir, "old.db");
    const raw = new BetterSqlite3(old);
    raw.exec("create table schema_migrations (name text primary key, timestamp text)");
    raw.exec("insert into schema_migrations values ('001_initial', '2025-01-01')");
    raw.close();
    await expect(openStoreReader(`sqlite:${old}`)).rejects.toThrow(
      /lacks migration .*run `qualys-connector sync`/,
    );
  });

  it("leaves the file's bytes and modification time as they were", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "qc-reader-"));
    const file = path.join(dir, "store.db");
    const store = await openStore(`sqlite:${file}`);
    await store.migrate();
    const subscriptionId = await store.subscription({
      apiUrl: "https://qualysapi.example.test",
      username: "u",
    });
    await store.upsertFindings([finding(1), finding(2)], {
      subscriptionId,
      source: "api",
      now: "2025-11-05T00:00:00Z",
      runId: undefined,
    });
    await store.close();
    const before = { bytes: readFileSync(file), mtime: statSync(file).mtimeMs };
    const reader = await openStoreReader(file);
    await reader.findings({ filter: {}, sort: "severity", direction: "desc", limit: 10 });
    await reader.overview();
    await reader.applications({ filter: {}, sort: "name", direction: "asc", limit: 10 });
    await reader.close();
    expect(readFileSync(file).equals(before.bytes)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(before.mtime);
  });
});
