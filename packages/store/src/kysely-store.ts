/**
 * The Store over kysely: the same queries for SQLite and PostgreSQL. Upserts compare a content hash first, so an
 * unchanged record costs a read and a `last_seen_at` update, not a rewrite; inserts use
 * `ON CONFLICT (subscription_id, uid) DO UPDATE`, which both databases speak.
 */

import type {
  ApplicationRecord,
  DefinitionRecord,
  FindingRecord,
  ReportCounts,
  ReportKind,
} from "@qualys-connector/model";
import { type Kysely, sql, type Transaction } from "kysely";
import * as gateRuns from "./gate-runs.js";
import {
  applicationRecord,
  applicationRow,
  contentHash,
  definitionRecord,
  definitionRow,
  findingRecord,
  findingRow,
  listSubscriptions,
} from "./rows.js";
import type {
  ApplicationsTable,
  Database,
  DefinitionsTable,
  FindingHistoryTable,
  FindingsTable,
  ReportImportsTable,
} from "./schema.js";
import { findingFingerprint } from "./schema.js";

type FindingHistoryRow = FindingHistoryTable;

import type {
  CloseAbsentOptions,
  FindingChange,
  ListOptions,
  ReportImportInput,
  ReportImportRow,
  Store,
  StoredApplicationRow,
  StoredObject,
  StoredRow,
  StreamState,
  SubscriptionKey,
  SubscriptionRow,
  SyncLock,
  SyncLockOptions,
  SyncRunRow,
  SyncRunStats,
  UpsertCounts,
  UpsertOutcome,
  WriteContext,
} from "./store.js";

type Table = "applications" | "findings" | "definitions";
const TABLE_OF: Readonly<Record<StoredObject, Table>> = {
  webapps: "applications",
  findings: "findings",
  definitions: "definitions",
};

/**
 * Rows per statement: SQLite allows 32,766 bound values per statement and PostgreSQL 65,535; the widest table
 * has 33 columns, so 500 rows stay well inside both.
 */
const CHUNK = 500;
/** Rows read per query when listing. */
const LIST_PAGE = 1000;

/**
 * PostgreSQL text cannot hold U+0000, and decoded evidence can carry it (a null-byte payload, a binary upload):
 * it becomes U+FFFD in both databases, so they store the same text.
 */
export function storable(value: unknown): unknown {
  if (value === undefined) return null;
  return typeof value === "string" && value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Existing {
  uid: string;
  content_hash: string;
  status: string | null;
  severity: number | null;
  is_ignored: number | null;
  last_detected_date: string | null;
  /** Applications only: the JSON array of labels. */
  labels: string | null;
}

/** What a write path makes of a batch before it is compared with the stored rows. */
interface Prepared<R> {
  records: R[];
  /** Uids whose stored row stays as it is (counted unchanged). */
  keep: ReadonlySet<string>;
}

/** Milliseconds of an ISO time, or undefined when absent or not a time (text of two forms does not compare). */
function timeOf(iso: string | undefined | null): number | undefined {
  if (iso === undefined || iso === null) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** True when both times are known and `a` is after `b`. */
function isAfter(a: string | undefined | null, b: string | undefined | null): boolean {
  const x = timeOf(a);
  const y = timeOf(b);
  return x !== undefined && y !== undefined && x > y;
}

/**
 * `merge: "newer-detection"` for one finding that has a stored row: the fields the incoming record lacks keep
 * their stored values, and a FIXED finding detected again after its fix by a record without a status (a scan
 * report has none) is REOPENED.
 */
function mergeFinding(stored: FindingRecord, incoming: FindingRecord): FindingRecord {
  const known = Object.fromEntries(
    Object.entries(incoming).filter(([, value]) => value !== undefined),
  ) as Partial<FindingRecord>;
  const merged: FindingRecord = { ...stored, ...known };
  // The stored row's Qualys finding id stays: a record that knows none (a gate result.json carries 0) must not
  // overwrite the id a sync stored.
  if (stored.id !== 0) merged.id = stored.id;
  if (incoming.evidence.request === undefined && incoming.evidence.response === undefined)
    merged.evidence = stored.evidence;
  if (
    incoming.status === undefined &&
    stored.status === "FIXED" &&
    isAfter(incoming.lastDetectedDate, stored.fixedDate ?? stored.lastDetectedDate)
  ) {
    merged.status = "REOPENED";
    merged.fixedDate = undefined;
  }
  return merged;
}

/** `stored` with `added` appended, each label once, in first-seen order. */
function unionLabels(stored: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...stored, ...added])];
}

/** A sync lock could not be taken in time: another sync holds it. */
export class SyncLockedError extends Error {
  constructor(
    message: string,
    /** The run holding it, when the store could tell. */
    readonly holder: { runId: number; startedAt: string } | undefined,
  ) {
    super(message);
    this.name = "SyncLockedError";
  }
}

/** How a dialect takes the sync lock: the lock, or undefined when `waitMs` passed first. */
export type LockProvider = (
  subscriptionId: number,
  options: SyncLockOptions,
) => Promise<SyncLock | undefined>;

/** SQLite's "database is locked" family (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, …). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

export class KyselyStore implements Store {
  constructor(
    readonly dialect: "sqlite" | "postgres",
    readonly location: string,
    private readonly db: Kysely<Database>,
    private readonly migrateFn: () => Promise<void>,
    private readonly closeFn: () => Promise<void>,
    private readonly lockFn: LockProvider,
    private readonly inTransaction = false,
  ) {}

  migrate(): Promise<void> {
    return this.migrateFn();
  }

  subscriptions(): Promise<SubscriptionRow[]> {
    return listSubscriptions(this.db);
  }

  async subscription(key: SubscriptionKey): Promise<number> {
    const find = () =>
      this.db
        .selectFrom("subscriptions")
        .select("id")
        .where("api_url", "=", key.apiUrl)
        .where("username", "=", key.username)
        .executeTakeFirst();
    const found = await find();
    if (found) return Number(found.id);
    await this.db
      .insertInto("subscriptions")
      .values({ api_url: key.apiUrl, username: key.username, created_at: new Date().toISOString() } as never)
      .onConflict((oc) => oc.columns(["api_url", "username"]).doNothing())
      .execute();
    const created = await find();
    if (!created) throw new Error(`could not create the subscription ${key.apiUrl} ${key.username}`);
    return Number(created.id);
  }

  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    try {
      return await this.db
        .transaction()
        .execute((trx: Transaction<Database>) =>
          work(
            new KyselyStore(
              this.dialect,
              this.location,
              trx,
              this.migrateFn,
              this.closeFn,
              this.lockFn,
              true,
            ),
          ),
        );
    } catch (error) {
      if (!isBusy(error)) throw error;
      // SQLite waited its busy timeout for another writer. Say who, rather than a bare "database is locked".
      const holder = await this.runningRun(undefined).catch(() => undefined);
      throw new Error(
        holder
          ? `${this.location}: another sync (run ${holder.runId}, started at ${holder.startedAt}) holds the database`
          : `${this.location}: another process is writing to the database (${(error as Error).message})`,
        { cause: error },
      );
    }
  }

  async lockSync(subscriptionId: number, options: SyncLockOptions): Promise<SyncLock> {
    const lock = await this.lockFn(subscriptionId, options);
    if (lock) return lock;
    const holder = await this.runningRun(this.dialect === "sqlite" ? undefined : subscriptionId);
    const waited = `waited ${Math.round(options.waitMs / 1000)} s for it to finish`;
    const what = this.dialect === "sqlite" ? "the database" : "this subscription";
    throw new SyncLockedError(
      holder
        ? `another sync (run ${holder.runId}, started at ${holder.startedAt}) holds ${what}; ${waited}`
        : `another sync holds ${what}; ${waited}`,
      holder,
    );
  }

  /** The newest run still marked running (of one subscription, or of any). */
  private async runningRun(
    subscriptionId: number | undefined,
  ): Promise<{ runId: number; startedAt: string } | undefined> {
    let query = this.db
      .selectFrom("sync_runs")
      .select(["id", "started_at"])
      .where("status", "=", "running")
      .orderBy("id", "desc");
    if (subscriptionId !== undefined) query = query.where("subscription_id", "=", subscriptionId);
    const row = await query.executeTakeFirst();
    return row ? { runId: Number(row.id), startedAt: row.started_at } : undefined;
  }

  /**
   * Insert or update rows of one table; unchanged ones only get `last_seen_at`. Returns the counts.
   *
   * A record counts as added only when this write's insert created its row: new rows go in with
   * `ON CONFLICT DO NOTHING RETURNING uid`, and a row another writer inserted since `existing` was read (a
   * concurrent sync on PostgreSQL) is compared again and counted as updated or unchanged instead.
   */
  private async upsert<R extends { uid: string }>(
    table: Table,
    records: readonly R[],
    ctx: WriteContext,
    toRow: (record: R) => Record<string, unknown>,
    /** A history row for a changed record, or undefined; inserted together after the chunk's rows. */
    onChanged?: (record: R, before: Existing) => FindingHistoryRow | undefined,
    /** Turns a batch into the records to write (matched uids, merged fields) before the comparison. */
    prepare?: (batch: R[]) => Promise<Prepared<R>>,
  ): Promise<UpsertCounts> {
    const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
    const tell = (uid: string, outcome: UpsertOutcome) => {
      counts[outcome] += 1;
      ctx.onRecord?.(uid, outcome);
    };
    // The last record wins when a batch holds the same uid twice (pages can overlap).
    const unique = [...new Map(records.map((r) => [r.uid, r])).values()];
    const labels = ctx.labels !== undefined && ctx.labels.length > 0 ? ctx.labels : undefined;
    const rowOf = (record: R, hash: string, rowLabels?: string[]): Record<string, unknown> => ({
      subscription_id: ctx.subscriptionId,
      uid: record.uid,
      source: ctx.source,
      content_hash: hash,
      first_seen_at: ctx.now,
      last_seen_at: ctx.now,
      vanished_at: null,
      ...toRow(record),
      ...(rowLabels ? { labels: JSON.stringify(rowLabels) } : {}),
    });
    for (const chunk of chunks(unique, CHUNK)) {
      const prepared = prepare ? await prepare(chunk) : undefined;
      // Matching can map two records to one stored row: the last one wins, as above.
      const batch = prepared ? [...new Map(prepared.records.map((r) => [r.uid, r])).values()] : chunk;
      const unchanged: string[] = [];
      const updates: Record<string, unknown>[] = [];
      const history: FindingHistoryRow[] = [];
      /** Sort a record against the row it has: unchanged, or an update (with its history row). */
      const compare = (record: R, hash: string, before: Existing) => {
        const storedLabels = before.labels === null ? [] : (JSON.parse(before.labels) as string[]);
        const rowLabels = labels ? unionLabels(storedLabels, labels) : undefined;
        const labelsMoved = rowLabels !== undefined && rowLabels.length !== storedLabels.length;
        if (prepared?.keep.has(record.uid) || (before.content_hash === hash && !labelsMoved)) {
          unchanged.push(record.uid);
          tell(record.uid, "unchanged");
          return;
        }
        tell(record.uid, "updated");
        const change = onChanged?.(record, before);
        if (change) history.push(change);
        updates.push(rowOf(record, hash, rowLabels));
      };
      const existing = await this.existing(
        table,
        ctx.subscriptionId,
        batch.map((r) => r.uid),
      );
      const fresh: { record: R; hash: string }[] = [];
      for (const record of batch) {
        const hash = contentHash(record);
        const before = existing.get(record.uid);
        if (before) compare(record, hash, before);
        else fresh.push({ record, hash });
      }
      if (fresh.length > 0) {
        const created = await this.insertNew(
          table,
          fresh.map((f) => rowOf(f.record, f.hash, labels ? unionLabels([], labels) : undefined)),
        );
        const lost = fresh.filter((f) => !created.has(f.record.uid));
        for (const f of fresh) if (created.has(f.record.uid)) tell(f.record.uid, "added");
        if (lost.length > 0) {
          const current = await this.existing(
            table,
            ctx.subscriptionId,
            lost.map((f) => f.record.uid),
          );
          for (const f of lost) {
            const before = current.get(f.record.uid);
            if (before) compare(f.record, f.hash, before);
          }
        }
      }
      if (unchanged.length > 0)
        await sql`update ${sql.table(table)} set last_seen_at = ${ctx.now}, vanished_at = null
          where subscription_id = ${ctx.subscriptionId} and uid in (${sql.join(unchanged)})`.execute(this.db);
      if (updates.length > 0) await this.insertOrUpdate(table, updates);
      if (history.length > 0) await this.db.insertInto("finding_history").values(history).execute();
    }
    return counts;
  }

  /** Insert rows whose uid is not stored yet; returns the uids this statement created. */
  private async insertNew(table: Table, rows: Record<string, unknown>[]): Promise<Set<string>> {
    const columns = Object.keys(rows[0] ?? {});
    const result = await sql<{
      uid: string;
    }>`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      values ${sql.join(rows.map((row) => sql`(${sql.join(columns.map((c) => storable(row[c])))})`))}
      on conflict (subscription_id, uid) do nothing
      returning uid`.execute(this.db);
    return new Set(result.rows.map((r) => r.uid));
  }

  private async insertOrUpdate(table: Table, rows: Record<string, unknown>[]): Promise<void> {
    const columns = Object.keys(rows[0] ?? {});
    // first_seen_at keeps the first write; everything else takes the new values.
    const updated = columns.filter((c) => c !== "subscription_id" && c !== "uid" && c !== "first_seen_at");
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      values ${sql.join(rows.map((row) => sql`(${sql.join(columns.map((c) => storable(row[c])))})`))}
      on conflict (subscription_id, uid) do update set
      ${sql.join(updated.map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}`.execute(this.db);
  }

  private async existing(
    table: Table,
    subscriptionId: number,
    uids: readonly string[],
  ): Promise<Map<string, Existing>> {
    if (uids.length === 0) return new Map();
    const extra =
      table === "findings"
        ? sql`status, severity, is_ignored, last_detected_date, null as labels`
        : table === "applications"
          ? sql`null as status, null as severity, null as is_ignored, null as last_detected_date, labels`
          : sql`null as status, null as severity, null as is_ignored, null as last_detected_date, null as labels`;
    const result = await sql<Existing>`select uid, content_hash, ${extra} from ${sql.table(table)}
      where subscription_id = ${subscriptionId} and uid in (${sql.join([...uids])})`.execute(this.db);
    return new Map(result.rows.map((row) => [row.uid, row]));
  }

  upsertApplications(records: readonly ApplicationRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    return this.upsert("applications", records, ctx, applicationRow);
  }

  upsertDefinitions(records: readonly DefinitionRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    const prepare =
      ctx.merge === "newer-detection"
        ? (batch: DefinitionRecord[]) => this.prepareDefinitions(batch, ctx)
        : undefined;
    return this.upsert("definitions", records, ctx, definitionRow, undefined, prepare);
  }

  /**
   * `merge` for definitions: a report's glossary knows less than the KnowledgeBase (no CVEs, often no CVSS), so
   * what the incoming definition lacks keeps the stored value instead of blanking it.
   */
  private async prepareDefinitions(
    batch: DefinitionRecord[],
    ctx: WriteContext,
  ): Promise<Prepared<DefinitionRecord>> {
    const result = await sql<DefinitionsTable>`select * from definitions
      where subscription_id = ${ctx.subscriptionId} and uid in (${sql.join(batch.map((r) => r.uid))})`.execute(
      this.db,
    );
    const stored = new Map(result.rows.map((row) => [row.uid, definitionRecord(row)]));
    const records = batch.map((record) => {
      const before = stored.get(record.uid);
      if (!before) return record;
      const known = Object.fromEntries(
        Object.entries(record).filter(
          ([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0),
        ),
      ) as Partial<DefinitionRecord>;
      return { ...before, ...known };
    });
    return { records, keep: new Set() };
  }

  /** Full stored rows of findings, by uid (SQLite and PostgreSQL bound-value limits: called per chunk). */
  private async storedFindings(subscriptionId: number, uids: readonly string[]): Promise<FindingsTable[]> {
    if (uids.length === 0) return [];
    const result = await sql<FindingsTable>`select * from findings
      where subscription_id = ${subscriptionId} and uid in (${sql.join([...uids])})`.execute(this.db);
    return result.rows;
  }

  /** `matchByFingerprint` and `merge` (WriteContext) applied to one chunk of findings. */
  private async prepareFindings(batch: FindingRecord[], ctx: WriteContext): Promise<Prepared<FindingRecord>> {
    const stored = new Map(
      (
        await this.storedFindings(
          ctx.subscriptionId,
          batch.map((r) => r.uid),
        )
      ).map((row) => [row.uid, row]),
    );
    let records = batch;
    if (ctx.matchByFingerprint) {
      const printOf = (r: FindingRecord) => findingFingerprint(r.webAppId, r.qid, r.url, r.param);
      const unknown = [...new Set(batch.filter((r) => !stored.has(r.uid)).map(printOf))];
      const byPrint = new Map<string, FindingsTable>();
      if (unknown.length > 0) {
        // The lowest uid when several stored findings share a fingerprint: the same choice every time.
        const result = await sql<FindingsTable>`select * from findings
          where subscription_id = ${ctx.subscriptionId} and fingerprint in (${sql.join(unknown)})
          order by uid`.execute(this.db);
        for (const row of result.rows)
          if (row.fingerprint !== null && !byPrint.has(row.fingerprint)) byPrint.set(row.fingerprint, row);
      }
      records = batch.map((record) => {
        if (stored.has(record.uid)) return record;
        const match = byPrint.get(printOf(record));
        if (!match) return record;
        stored.set(match.uid, match);
        return { ...record, uid: match.uid };
      });
    }
    const keep = new Set<string>();
    if (ctx.merge === "newer-detection") {
      records = records.map((record) => {
        const row = stored.get(record.uid);
        if (!row) return record;
        const before = findingRecord(row);
        if (isAfter(before.lastDetectedDate, record.lastDetectedDate)) {
          keep.add(record.uid);
          return before;
        }
        return mergeFinding(before, record);
      });
    }
    return { records, keep };
  }

  /**
   * `matchByFingerprint: "keyed-rows"`: records meet the stored finding keyed by their fingerprint, when there is
   * one (a finding an import stored from a record without a uniqueId); one indexed lookup per chunk, usually empty.
   */
  private async remapKeyedFindings(
    batch: FindingRecord[],
    ctx: WriteContext,
  ): Promise<Prepared<FindingRecord>> {
    const prints = batch.map((r) => findingFingerprint(r.webAppId, r.qid, r.url, r.param));
    const result = await sql<{ uid: string }>`select uid from findings
      where subscription_id = ${ctx.subscriptionId} and fingerprint in (${sql.join([...new Set(prints)])})
      and uid = fingerprint`.execute(this.db);
    const keyed = new Set(result.rows.map((row) => row.uid));
    const records =
      keyed.size === 0
        ? batch
        : batch.map((record, i) => {
            const print = prints[i] ?? "";
            return keyed.has(print) && record.uid !== print ? { ...record, uid: print } : record;
          });
    return { records, keep: new Set() };
  }

  upsertFindings(records: readonly FindingRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    if (ctx.matchByFingerprint === "keyed-rows" && ctx.merge === undefined)
      return this.upsert(
        "findings",
        records,
        ctx,
        findingRow,
        (record, before) => this.findingChange(record, before, ctx),
        (batch) => this.remapKeyedFindings(batch, ctx),
      );
    const prepare =
      ctx.matchByFingerprint || ctx.merge !== undefined
        ? (batch: FindingRecord[]) => this.prepareFindings(batch, ctx)
        : undefined;
    return this.upsert(
      "findings",
      records,
      ctx,
      findingRow,
      (record, before) => this.findingChange(record, before, ctx),
      prepare,
    );
  }

  /** The history row of a finding whose status, severity, ignored flag or last detection moved. */
  private findingChange(
    record: FindingRecord,
    before: Pick<Existing, "status" | "severity" | "is_ignored" | "last_detected_date">,
    ctx: Pick<WriteContext, "subscriptionId" | "now" | "runId">,
  ): FindingHistoryRow | undefined {
    const ignored = record.isIgnored ? 1 : 0;
    const severityBefore = before.severity === null ? null : Number(before.severity);
    const changed =
      (record.status ?? null) !== before.status ||
      (record.severity ?? null) !== severityBefore ||
      ignored !== Number(before.is_ignored) ||
      (record.lastDetectedDate ?? null) !== before.last_detected_date;
    if (!changed) return undefined;
    return {
      subscription_id: ctx.subscriptionId,
      finding_uid: record.uid,
      changed_at: ctx.now,
      sync_run_id: ctx.runId ?? null,
      status_from: before.status,
      status_to: record.status ?? null,
      severity_from: severityBefore,
      severity_to: record.severity ?? null,
      ignored_from: before.is_ignored === null ? null : Number(before.is_ignored),
      ignored_to: ignored,
      last_detected_from: before.last_detected_date,
      last_detected_to: record.lastDetectedDate ?? null,
    };
  }

  async markVanished(
    object: StoredObject,
    subscriptionId: number,
    seenSince: string,
    now: string,
  ): Promise<number> {
    const result = await sql`update ${sql.table(TABLE_OF[object])} set vanished_at = ${now}
      where subscription_id = ${subscriptionId} and last_seen_at < ${seenSince} and vanished_at is null`.execute(
      this.db,
    );
    return Number(result.numAffectedRows ?? 0);
  }

  async getState(subscriptionId: number, stream: string): Promise<StreamState | undefined> {
    const row = await this.db
      .selectFrom("sync_state")
      .selectAll()
      .where("subscription_id", "=", subscriptionId)
      .where("stream", "=", stream)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      cursor: row.cursor ?? undefined,
      checkpoint:
        row.checkpoint === null ? undefined : (JSON.parse(row.checkpoint) as Record<string, unknown>),
      updatedAt: row.updated_at,
    };
  }

  async setState(subscriptionId: number, stream: string, state: StreamState): Promise<void> {
    const values = {
      subscription_id: subscriptionId,
      stream,
      cursor: state.cursor ?? null,
      checkpoint: state.checkpoint === undefined ? null : JSON.stringify(state.checkpoint),
      updated_at: state.updatedAt,
    };
    await this.db
      .insertInto("sync_state")
      .values(values)
      .onConflict((oc) =>
        oc.columns(["subscription_id", "stream"]).doUpdateSet({
          cursor: values.cursor,
          checkpoint: values.checkpoint,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }

  async startRun(
    subscriptionId: number,
    stream: string,
    mode: "incremental" | "full",
    now: string,
  ): Promise<number> {
    // A run still "running" was killed (it never finished): it is interrupted, and this run resumes it.
    await this.db
      .updateTable("sync_runs")
      .set({ status: "interrupted", ended_at: now })
      .where("subscription_id", "=", subscriptionId)
      .where("stream", "=", stream)
      .where("status", "=", "running")
      .execute();
    const row = await this.db
      .insertInto("sync_runs")
      .values({
        subscription_id: subscriptionId,
        stream,
        mode,
        started_at: now,
        ended_at: null,
        status: "running",
        records_added: 0,
        records_updated: 0,
        records_unchanged: 0,
        records_vanished: 0,
        api_calls: 0,
        retries: 0,
        errors: "[]",
      } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async finishRun(runId: number, stats: SyncRunStats, now: string): Promise<void> {
    await this.db
      .updateTable("sync_runs")
      .set({
        ended_at: now,
        status: stats.status,
        records_added: stats.added,
        records_updated: stats.updated,
        records_unchanged: stats.unchanged,
        records_vanished: stats.vanished,
        api_calls: stats.apiCalls,
        retries: stats.retries,
        errors: JSON.stringify(stats.errors),
      })
      .where("id", "=", runId)
      .execute();
  }

  async runs(subscriptionId?: number): Promise<SyncRunRow[]> {
    let query = this.db.selectFrom("sync_runs").selectAll().orderBy("id");
    if (subscriptionId !== undefined) query = query.where("subscription_id", "=", subscriptionId);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      subscriptionId: Number(r.subscription_id),
      stream: r.stream,
      mode: r.mode === "full" ? "full" : "incremental",
      startedAt: r.started_at,
      endedAt: r.ended_at ?? undefined,
      status: r.status === "succeeded" || r.status === "failed" ? r.status : "interrupted",
      added: Number(r.records_added),
      updated: Number(r.records_updated),
      unchanged: Number(r.records_unchanged),
      vanished: Number(r.records_vanished),
      apiCalls: Number(r.api_calls),
      retries: Number(r.retries),
      errors: JSON.parse(r.errors) as string[],
    }));
  }

  /** Rows of a table in uid order, a page at a time (keyset paging: no offset scans). */
  private async *list<
    Row extends {
      uid: string;
      subscription_id: number;
      source: string;
      first_seen_at: string;
      last_seen_at: string;
      vanished_at: string | null;
    },
    R,
    S extends StoredRow<R> = StoredRow<R>,
  >(
    table: Table,
    options: ListOptions,
    toRecord: (row: Row) => R,
    extend: (stored: StoredRow<R>, row: Row) => S = (stored) => stored as S,
  ): AsyncGenerator<S> {
    let after: { subscription: number; uid: string } | undefined;
    for (;;) {
      const rows = await sql<Row>`select * from ${sql.table(table)}
        where 1 = 1
        ${options.subscriptionId !== undefined ? sql`and subscription_id = ${options.subscriptionId}` : sql``}
        ${options.since !== undefined ? sql`and last_seen_at >= ${options.since}` : sql``}
        ${options.includeVanished ? sql`` : sql`and vanished_at is null`}
        ${after ? sql`and (subscription_id > ${after.subscription} or (subscription_id = ${after.subscription} and uid > ${after.uid}))` : sql``}
        order by subscription_id, uid
        limit ${LIST_PAGE}`.execute(this.db);
      for (const row of rows.rows)
        yield extend(
          {
            record: toRecord(row),
            subscriptionId: Number(row.subscription_id),
            source: row.source,
            firstSeenAt: row.first_seen_at,
            lastSeenAt: row.last_seen_at,
            vanishedAt: row.vanished_at ?? undefined,
          },
          row,
        );
      const last = rows.rows.at(-1);
      if (!last || rows.rows.length < LIST_PAGE) return;
      after = { subscription: Number(last.subscription_id), uid: last.uid };
    }
  }

  applications(options: ListOptions = {}): AsyncIterable<StoredApplicationRow> {
    return this.list<ApplicationsTable, ApplicationRecord, StoredApplicationRow>(
      "applications",
      options,
      applicationRecord,
      (stored, row) => ({ ...stored, labels: JSON.parse(row.labels) as string[] }),
    );
  }

  findings(options: ListOptions = {}): AsyncIterable<StoredRow<FindingRecord>> {
    return this.list<FindingsTable, FindingRecord>("findings", options, findingRecord);
  }

  definitions(options: ListOptions = {}): AsyncIterable<StoredRow<DefinitionRecord>> {
    return this.list<DefinitionsTable, DefinitionRecord>("definitions", options, definitionRecord);
  }

  async findingChanges(subscriptionId?: number): Promise<FindingChange[]> {
    let query = this.db
      .selectFrom("finding_history")
      .selectAll()
      .orderBy("changed_at")
      .orderBy("finding_uid");
    if (subscriptionId !== undefined) query = query.where("subscription_id", "=", subscriptionId);
    const rows = await query.execute();
    const bool = (v: number | null) => (v === null ? null : Number(v) === 1);
    const int = (v: number | null) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      subscriptionId: Number(r.subscription_id),
      findingUid: r.finding_uid,
      changedAt: r.changed_at,
      runId: r.sync_run_id === null ? undefined : Number(r.sync_run_id),
      status: { from: r.status_from, to: r.status_to },
      severity: { from: int(r.severity_from), to: int(r.severity_to) },
      isIgnored: { from: bool(r.ignored_from), to: bool(r.ignored_to) },
      lastDetectedDate: { from: r.last_detected_from, to: r.last_detected_to },
    }));
  }

  async missingDefinitionQids(subscriptionId: number): Promise<number[]> {
    const result = await sql<{ qid: number }>`select distinct f.qid as qid from findings f
      where f.subscription_id = ${subscriptionId}
      and not exists (select 1 from definitions d where d.subscription_id = f.subscription_id and d.qid = f.qid)
      order by qid`.execute(this.db);
    return result.rows.map((r) => Number(r.qid));
  }

  async recordReportImport(input: ReportImportInput): Promise<number> {
    const { provenance: p } = input;
    const row = await this.db
      .insertInto("report_imports")
      .values({
        subscription_id: input.subscriptionId,
        sync_run_id: input.runId ?? null,
        kind: p.kind,
        file_name: p.fileName,
        sha256: p.sha256,
        bytes: p.bytes,
        report_id: p.reportId ?? null,
        title: storable(p.title) as string | null,
        generated_at: p.generatedAt ?? null,
        scan_ids: JSON.stringify(p.scanIds),
        web_app_ids: JSON.stringify(p.webAppIds),
        imported_at: input.importedAt,
        counts: JSON.stringify(input.counts),
      } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async findReportImport(
    subscriptionId: number,
    by: { sha256: string } | { reportId: number },
  ): Promise<ReportImportRow | undefined> {
    let query = this.db
      .selectFrom("report_imports")
      .selectAll()
      .where("subscription_id", "=", subscriptionId)
      .orderBy("id")
      .limit(1);
    query =
      "sha256" in by ? query.where("sha256", "=", by.sha256) : query.where("report_id", "=", by.reportId);
    const row = await query.executeTakeFirst();
    return row ? reportImportRow(row) : undefined;
  }

  async reportImports(subscriptionId?: number): Promise<ReportImportRow[]> {
    let query = this.db.selectFrom("report_imports").selectAll().orderBy("id");
    if (subscriptionId !== undefined) query = query.where("subscription_id", "=", subscriptionId);
    return (await query.execute()).map(reportImportRow);
  }

  async latestReportGeneratedAt(subscriptionId: number, webAppId: number): Promise<string | undefined> {
    // web_app_ids is a JSON array of numbers without spaces (`[1,22]`): with its brackets as commas, a web app
    // is covered when `,id,` occurs in it.
    const result = await sql<{ generated_at: string }>`select generated_at from report_imports
      where subscription_id = ${subscriptionId} and generated_at is not null
      and replace(replace(web_app_ids, '[', ','), ']', ',') like ${`%,${Math.trunc(webAppId)},%`}`.execute(
      this.db,
    );
    // Compared as times, not text: `…00Z` and `…00.000Z` are the same moment.
    let latest: { text: string; ms: number } | undefined;
    for (const { generated_at: text } of result.rows) {
      const ms = timeOf(text);
      if (ms !== undefined && (latest === undefined || ms > latest.ms)) latest = { text, ms };
    }
    return latest?.text;
  }

  async closeAbsentFindings(options: CloseAbsentOptions): Promise<string[]> {
    const closed: string[] = [];
    let after: string | undefined;
    for (;;) {
      const { rows } = await sql<FindingsTable>`select * from findings
        where subscription_id = ${options.subscriptionId} and web_app_id = ${options.webAppId}
        and type in ('VULNERABILITY', 'SENSITIVE_CONTENT') and (status is null or status <> 'FIXED')
        ${after === undefined ? sql`` : sql`and uid > ${after}`}
        order by uid
        limit ${CHUNK}`.execute(this.db);
      const updates: Record<string, unknown>[] = [];
      const history: FindingHistoryRow[] = [];
      for (const row of rows) {
        if (options.present.has(row.uid) || isAfter(row.last_detected_date, options.detectedUntil)) continue;
        const record: FindingRecord = {
          ...findingRecord(row),
          status: "FIXED",
          fixedDate: options.fixedDate,
        };
        updates.push({
          subscription_id: options.subscriptionId,
          uid: row.uid,
          source: row.source,
          content_hash: contentHash(record),
          first_seen_at: row.first_seen_at,
          last_seen_at: row.last_seen_at,
          vanished_at: row.vanished_at,
          ...findingRow(record),
        });
        const change = this.findingChange(record, row, options);
        if (change) history.push(change);
        closed.push(row.uid);
      }
      if (updates.length > 0) await this.insertOrUpdate("findings", updates);
      if (history.length > 0) await this.db.insertInto("finding_history").values(history).execute();
      const last = rows.at(-1);
      if (!last || rows.length < CHUNK) return closed;
      after = last.uid;
    }
  }

  recordGateRun = (input: gateRuns.GateRunInput) => gateRuns.recordGateRun(this.db, input);
  listGateRuns = (filter: gateRuns.GateRunFilter) => gateRuns.listGateRuns(this.db, filter);
  getGateRun = (id: number) => gateRuns.getGateRun(this.db, id);

  close(): Promise<void> {
    return this.closeFn();
  }
}

function reportImportRow(row: ReportImportsTable): ReportImportRow {
  return {
    id: Number(row.id),
    subscriptionId: Number(row.subscription_id),
    runId: row.sync_run_id === null ? undefined : Number(row.sync_run_id),
    kind: row.kind as ReportKind,
    fileName: row.file_name,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    reportId: row.report_id === null ? undefined : Number(row.report_id),
    title: row.title ?? undefined,
    generatedAt: row.generated_at ?? undefined,
    scanIds: JSON.parse(row.scan_ids) as string[],
    webAppIds: JSON.parse(row.web_app_ids) as number[],
    importedAt: row.imported_at,
    counts: JSON.parse(row.counts) as ReportCounts,
  };
}
