/**
 * Local ingest speed of the store, without the network: 20,000 realistic FindingRecords (the verbose findings of
 * a simulator with 50 web apps x 400 findings, read once and mapped with toFindingRecord) written with
 * `store.upsertFindings` in pages of 100, each in its own `store.transaction` as the sync does, against a bare
 * baseline with the same driver writing the same columns (SHA-256 content hash included) in the same pages:
 * - SQLite: better-sqlite3 with one prepared INSERT, one transaction per 100 rows;
 * - PostgreSQL (when PG_URL is set; CI sets it): pg with one multi-row INSERT per 100 rows in a transaction,
 *   in a fresh database `qc_bench_<pid>` dropped at the end.
 * Also a second upsert of the same records (all unchanged: the store's hash check). Each figure is the best of
 * three rounds, bare and store alternating, since these machines are noisy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { createQualysClient } from "../packages/client/src/index.js";
import { type FindingRecord, toFindingRecord } from "../packages/model/src/index.js";
import { startSimulator } from "../packages/simulator/src/index.js";
import { contentHash, openStore, type Store } from "../packages/store/src/index.js";

const FINDINGS = 20_000;
/** Records per page and per transaction: the sync's default page size. */
const PAGE = 100;
const SUBSCRIPTION = { apiUrl: "http://bench.invalid", username: "sim_user" };
const PG_URL = process.env.PG_URL || undefined;
/** Each figure is the best of this many rounds, bare and store alternating. */
const ROUNDS = 3;

/** The findings table's columns, in the order the bare baselines bind them (schema.ts, rows.ts). */
const COLUMNS = [
  "subscription_id",
  "uid",
  "source",
  "content_hash",
  "first_seen_at",
  "last_seen_at",
  "vanished_at",
  "id",
  "web_app_id",
  "qid",
  "name",
  "type",
  "potential",
  "status",
  "severity",
  "severity_label",
  "url",
  "param",
  "first_detected_date",
  "last_detected_date",
  "last_tested_date",
  "fixed_date",
  "times_detected",
  "is_ignored",
  "ignored_reason",
  "ignored_date",
  "cwe",
  "owasp",
  "wasc",
  "categories",
  "evidence_request",
  "evidence_response",
  "evidence_truncated",
] as const;

type Value = string | number | null;

/** A FindingRecord as the store writes it (packages/store/src/rows.ts `findingRow`), in COLUMNS order. */
function bareRow(r: FindingRecord, subscriptionId: number, now: string): Value[] {
  const nul = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
  return [
    subscriptionId,
    r.uid,
    "api",
    contentHash(r),
    now,
    now,
    null,
    r.id,
    r.webAppId,
    r.qid,
    r.name,
    r.type,
    r.potential ? 1 : 0,
    nul(r.status),
    nul(r.severity),
    nul(r.severityLabel),
    nul(r.url),
    nul(r.param),
    nul(r.firstDetectedDate),
    nul(r.lastDetectedDate),
    nul(r.lastTestedDate),
    nul(r.fixedDate),
    nul(r.timesDetected),
    r.isIgnored ? 1 : 0,
    nul(r.ignoredReason),
    nul(r.ignoredDate),
    JSON.stringify(r.cwe),
    JSON.stringify(r.owasp),
    JSON.stringify(r.wasc),
    JSON.stringify(r.categories),
    nul(r.evidence.request),
    nul(r.evidence.response),
    r.evidence.truncated ? 1 : 0,
  ];
}

function pages<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PAGE) out.push(items.slice(i, i + PAGE));
  return out;
}

/** Records per second of `work` over all the findings. */
async function rate(work: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await work();
  return FINDINGS / ((performance.now() - t0) / 1000);
}

/** The 20,000 findings, read once from a simulator over loopback. */
async function readFindings(): Promise<FindingRecord[]> {
  const sim = await startSimulator({ port: 0, webapps: 50, findingsPerWebapp: 400, hosts: 0, latencyMs: 0 });
  const client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    pageSize: 1000,
  });
  try {
    const byUid = new Map<string, FindingRecord>();
    for await (const node of client.was.findings.search({ verbose: true, pageSize: 1000 })) {
      const record = toFindingRecord(node);
      byUid.set(record.uid, record);
    }
    const records = [...byUid.values()].slice(0, FINDINGS);
    if (records.length < FINDINGS)
      throw new Error(`the simulator gave ${records.length} distinct findings, expected ${FINDINGS}`);
    return records;
  } finally {
    await client.close();
    await sim.close();
  }
}

/** Upsert every page in its own transaction; checks the counts the pass must produce. */
async function storeUpsert(
  store: Store,
  subscriptionId: number,
  records: readonly FindingRecord[],
  expect: "added" | "unchanged",
): Promise<number> {
  const counts = { added: 0, updated: 0, unchanged: 0 };
  const perSecond = await rate(async () => {
    const ctx = { subscriptionId, source: "api", now: new Date().toISOString(), runId: undefined };
    for (const page of pages(records)) {
      const c = await store.transaction((tx) => tx.upsertFindings(page, ctx));
      counts.added += c.added;
      counts.updated += c.updated;
      counts.unchanged += c.unchanged;
    }
  });
  if (counts[expect] !== records.length)
    throw new Error(`store upsert: expected ${records.length} ${expect}, got ${JSON.stringify(counts)}`);
  return perSecond;
}

async function openMigrated(location: string): Promise<{ store: Store; subscriptionId: number }> {
  const store = await openStore(location);
  await store.migrate();
  return { store, subscriptionId: await store.subscription(SUBSCRIPTION) };
}

interface Figures {
  /** First upsert (all added), findings/s. */
  store: number;
  bare: number;
  /** Second upsert (all unchanged), findings/s. */
  again: number;
}

/** The best of each figure over the rounds: the least disturbed by a noisy machine (the first round warms up). */
function best(rounds: readonly Figures[]): Figures {
  return {
    store: Math.max(...rounds.map((r) => r.store)),
    bare: Math.max(...rounds.map((r) => r.bare)),
    again: Math.max(...rounds.map((r) => r.again)),
  };
}

function report(name: string, figures: Figures, bare: string): void {
  console.log(
    `ingest ${name}: store.upsertFindings ${figures.store.toFixed(0)} findings/s vs ${bare} ${figures.bare.toFixed(0)} findings/s; ` +
      `ratio store/bare ${(figures.store / figures.bare).toFixed(2)} (${FINDINGS} findings, pages of ${PAGE}, one transaction each; best of ${ROUNDS} rounds)`,
  );
  console.log(
    `ingest ${name}: second upsert of the same ${FINDINGS} (all unchanged, hash check) ${figures.again.toFixed(0)} findings/s; ` +
      `ratio to the bare insert ${(figures.again / figures.bare).toFixed(2)}`,
  );
}

async function sqlite(records: readonly FindingRecord[]): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), "qc-bench-ingest-"));
  try {
    const rounds: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The bare file gets the same schema (the store's migrations) and the same pragmas as openStore.
      const bareFile = path.join(dir, `bare-${round}.db`);
      const prepared = await openMigrated(`sqlite:${bareFile}`);
      const bareSubscription = prepared.subscriptionId;
      await prepared.store.close();
      const db = new BetterSqlite3(bareFile);
      let bare: number;
      try {
        db.pragma("journal_mode = WAL");
        db.pragma("busy_timeout = 10000");
        db.pragma("foreign_keys = ON");
        const insert = db.prepare(
          `insert into findings (${COLUMNS.join(", ")}) values (${COLUMNS.map(() => "?").join(", ")})`,
        );
        const insertPage = db.transaction((rows: readonly FindingRecord[], now: string) => {
          for (const r of rows) insert.run(bareRow(r, bareSubscription, now));
        });
        bare = await rate(() => {
          const now = new Date().toISOString();
          for (const page of pages(records)) insertPage(page, now);
        });
      } finally {
        db.close();
      }

      const { store, subscriptionId } = await openMigrated(`sqlite:${path.join(dir, `store-${round}.db`)}`);
      try {
        const first = await storeUpsert(store, subscriptionId, records, "added");
        const again = await storeUpsert(store, subscriptionId, records, "unchanged");
        rounds.push({ store: first, bare, again });
      } finally {
        await store.close();
      }
    }
    return best(rounds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(serverUrl: string, records: readonly FindingRecord[]): Promise<Figures> {
  const name = `qc_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const { store, subscriptionId } = await openMigrated(url.toString());
      const bareClient = new pg.Client({ connectionString: url.toString() });
      await bareClient.connect();
      try {
        const width = COLUMNS.length;
        const rounds: Figures[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Bare first, into the store's own table, emptied before the store writes the same rows (and after).
          const bare = await rate(async () => {
            const now = new Date().toISOString();
            for (const page of pages(records)) {
              const placeholders = page.map(
                (_, row) => `(${COLUMNS.map((_c, col) => `$${row * width + col + 1}`).join(", ")})`,
              );
              await bareClient.query("BEGIN");
              await bareClient.query(
                `insert into findings (${COLUMNS.join(", ")}) values ${placeholders.join(", ")}`,
                page.flatMap((r) => bareRow(r, subscriptionId, now)),
              );
              await bareClient.query("COMMIT");
            }
          });
          await bareClient.query("TRUNCATE findings, finding_history");
          const first = await storeUpsert(store, subscriptionId, records, "added");
          const again = await storeUpsert(store, subscriptionId, records, "unchanged");
          await bareClient.query("TRUNCATE findings, finding_history");
          rounds.push({ store: first, bare, again });
        }
        return best(rounds);
      } finally {
        await bareClient.end();
        await store.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

const records = await readFindings();
report("SQLite", await sqlite(records), "bare better-sqlite3 prepared INSERT");
if (PG_URL) report("PostgreSQL", await postgres(PG_URL, records), "bare pg multi-row INSERT");
else
  console.log(
    "ingest PostgreSQL: skipped, PG_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/postgres)",
  );
