/**
 * The Store over kysely: the same queries for SQLite and PostgreSQL. Upserts compare a content hash first, so an
 * unchanged record costs a read and a `last_seen_at` update, not a rewrite; inserts use
 * `ON CONFLICT (subscription_id, uid) DO UPDATE`, which both databases speak.
 */

import type { ApplicationRecord, DefinitionRecord, FindingRecord } from "@qualys-connector/model";
import { type Kysely, sql, type Transaction } from "kysely";
import {
  applicationRecord,
  applicationRow,
  contentHash,
  definitionRecord,
  definitionRow,
  findingRecord,
  findingRow,
} from "./rows.js";
import type {
  ApplicationsTable,
  Database,
  DefinitionsTable,
  FindingHistoryTable,
  FindingsTable,
} from "./schema.js";

type FindingHistoryRow = FindingHistoryTable;

import type {
  FindingChange,
  ListOptions,
  Store,
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
function storable(value: unknown): unknown {
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

  async subscriptions(): Promise<SubscriptionRow[]> {
    const rows = await this.db
      .selectFrom("subscriptions")
      .select(["id", "api_url", "username", "created_at"])
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      apiUrl: r.api_url,
      username: r.username,
      createdAt: r.created_at,
    }));
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
  ): Promise<UpsertCounts> {
    const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
    const tell = (uid: string, outcome: UpsertOutcome) => {
      counts[outcome] += 1;
      ctx.onRecord?.(uid, outcome);
    };
    // The last record wins when a batch holds the same uid twice (pages can overlap).
    const unique = [...new Map(records.map((r) => [r.uid, r])).values()];
    const rowOf = (record: R, hash: string): Record<string, unknown> => ({
      subscription_id: ctx.subscriptionId,
      uid: record.uid,
      source: ctx.source,
      content_hash: hash,
      first_seen_at: ctx.now,
      last_seen_at: ctx.now,
      vanished_at: null,
      ...toRow(record),
    });
    for (const batch of chunks(unique, CHUNK)) {
      const unchanged: string[] = [];
      const updates: Record<string, unknown>[] = [];
      const history: FindingHistoryRow[] = [];
      /** Sort a record against the row it has: unchanged, or an update (with its history row). */
      const compare = (record: R, hash: string, before: Existing) => {
        if (before.content_hash === hash) {
          unchanged.push(record.uid);
          tell(record.uid, "unchanged");
          return;
        }
        tell(record.uid, "updated");
        const change = onChanged?.(record, before);
        if (change) history.push(change);
        updates.push(rowOf(record, hash));
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
          fresh.map((f) => rowOf(f.record, f.hash)),
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
        ? sql`status, severity, is_ignored, last_detected_date`
        : sql`null as status, null as severity, null as is_ignored, null as last_detected_date`;
    const result = await sql<Existing>`select uid, content_hash, ${extra} from ${sql.table(table)}
      where subscription_id = ${subscriptionId} and uid in (${sql.join([...uids])})`.execute(this.db);
    return new Map(result.rows.map((row) => [row.uid, row]));
  }

  upsertApplications(records: readonly ApplicationRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    return this.upsert("applications", records, ctx, applicationRow);
  }

  upsertDefinitions(records: readonly DefinitionRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    return this.upsert("definitions", records, ctx, definitionRow);
  }

  upsertFindings(records: readonly FindingRecord[], ctx: WriteContext): Promise<UpsertCounts> {
    return this.upsert("findings", records, ctx, findingRow, (record, before) => {
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
    });
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
  >(table: Table, options: ListOptions, toRecord: (row: Row) => R): AsyncGenerator<StoredRow<R>> {
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
        yield {
          record: toRecord(row),
          subscriptionId: Number(row.subscription_id),
          source: row.source,
          firstSeenAt: row.first_seen_at,
          lastSeenAt: row.last_seen_at,
          vanishedAt: row.vanished_at ?? undefined,
        };
      const last = rows.rows.at(-1);
      if (!last || rows.rows.length < LIST_PAGE) return;
      after = { subscription: Number(last.subscription_id), uid: last.uid };
    }
  }

  applications(options: ListOptions = {}): AsyncIterable<StoredRow<ApplicationRecord>> {
    return this.list<ApplicationsTable, ApplicationRecord>("applications", options, applicationRecord);
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

  close(): Promise<void> {
    return this.closeFn();
  }
}
