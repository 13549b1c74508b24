/**
 * The read queries of the dashboard, over a store opened read-only (`openStoreReader`): pages of findings and
 * applications in keyset order (never an OFFSET scan), capped counts (a count stops at `COUNT_CAP` rows, so a huge
 * table never holds a page up), facets under a time budget, and the export of a filter as batches.
 */

import type { DefinitionRecord, FindingRecord } from "@qualys-connector/model";
import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import {
  type GateRunFilter,
  type GateRunRow,
  type GateRunSummary,
  getGateRun,
  listGateRuns,
} from "./gate-runs.js";
import { definitionRecord, findingRecord, listSubscriptions } from "./rows.js";
import type { Database, FindingsTable } from "./schema.js";
import type { FindingChange, SubscriptionRow } from "./store.js";

/** Counts stop here: "10000+" is as useful to a reader as the exact figure, and costs a bounded scan. */
export const COUNT_CAP = 10_000;

/** The orders the findings list offers; `severity` and `lastDetected` have an index each (migration 005). */
export const FINDING_SORTS = ["severity", "lastDetected", "firstDetected", "qid"] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

/** What a findings list is filtered by; every field optional. Text fields match as substrings. */
export interface FindingFilter {
  subscriptionId?: number | undefined;
  webAppId?: number | undefined;
  severityLabel?: string | undefined;
  severity?: number | undefined;
  status?: string | undefined;
  type?: string | undefined;
  qid?: number | undefined;
  /** `CWE-79` */
  cwe?: string | undefined;
  /** `A03:2021` or `A7:2017` */
  owasp?: string | undefined;
  /** Substring of the title, URL or parameter. */
  text?: string | undefined;
  /** ISO dates (inclusive, compared as text: Qualys dates are ISO 8601 UTC). */
  firstDetectedFrom?: string | undefined;
  firstDetectedTo?: string | undefined;
  lastDetectedFrom?: string | undefined;
  lastDetectedTo?: string | undefined;
  /** `api` or `report`. */
  source?: string | undefined;
  /** Ignored findings are left out unless this is true. */
  includeIgnored?: boolean | undefined;
}

/** Where a page of findings starts: after the row with these sort values (from the previous page's `next`). */
export type FindingCursor = readonly [string | number, ...(string | number)[]];

export interface FindingPageQuery {
  filter: FindingFilter;
  sort: FindingSort;
  direction: "asc" | "desc";
  limit: number;
  after?: FindingCursor | undefined;
}

/** A listed finding: every stored field but the evidence (shown on the finding's own page). */
export interface FindingListRow {
  subscriptionId: number;
  source: string;
  webAppName: string | undefined;
  record: FindingRecord;
}

export interface FindingPage {
  rows: FindingListRow[];
  /** The cursor of the next page, when there may be one. */
  next: FindingCursor | undefined;
}

export interface CappedCount {
  count: number;
  /** True when the count stopped at `COUNT_CAP`. */
  capped: boolean;
}

export interface ApplicationFilter {
  subscriptionId?: number | undefined;
  /** Substring of the name or URL. */
  name?: string | undefined;
  label?: string | undefined;
  /** Applications with at least one open finding of this severity (1-5). */
  severityPresent?: number | undefined;
  /** Applications last scanned (latest `last_tested_date` of their findings) at or after this ISO time. */
  scannedSince?: string | undefined;
  /** ... or before it (stale applications). */
  scannedBefore?: string | undefined;
}

export const APPLICATION_SORTS = ["name", "lastScan", "label"] as const;
export type ApplicationSort = (typeof APPLICATION_SORTS)[number];

export interface ApplicationPageQuery {
  filter: ApplicationFilter;
  sort: ApplicationSort;
  direction: "asc" | "desc";
  limit: number;
  after?: FindingCursor | undefined;
}

export interface ApplicationListRow {
  subscriptionId: number;
  id: number;
  uid: string;
  name: string;
  url: string;
  source: string;
  labels: string[];
  tags: string[];
  /** Latest `last_tested_date` of its findings. */
  lastScan: string | undefined;
  /** Open (not FIXED, not ignored) findings by severity, 1-5. */
  open: Record<number, number>;
  /** All its findings by severity, whatever their status. */
  total: Record<number, number>;
}

export interface ApplicationPage {
  rows: ApplicationListRow[];
  next: FindingCursor | undefined;
}

export interface Overview {
  bySeverityLabel: { label: string; count: number }[];
  bySeverity: Record<number, number>;
  byStatus: { status: string; count: number }[];
  /** Per month (`YYYY-MM`): findings first detected, findings fixed. */
  timeline: { month: string; detected: number; fixed: number }[];
  /** Web apps with the most open severity 5 and 4 findings. */
  topApplications: { subscriptionId: number; id: number; name: string; urgent: number; critical: number }[];
  runs: {
    id: number;
    subscriptionId: number;
    stream: string;
    mode: string;
    status: string;
    startedAt: string;
    endedAt: string | undefined;
  }[];
  imports: {
    id: number;
    subscriptionId: number;
    kind: string;
    fileName: string;
    importedAt: string;
    title: string | undefined;
  }[];
  /** A part that did not finish within the time budget is left out and named here. */
  timedOut: string[];
}

export interface FindingDetail {
  subscriptionId: number;
  source: string;
  firstSeenAt: string;
  lastSeenAt: string;
  vanishedAt: string | undefined;
  webAppName: string | undefined;
  record: FindingRecord;
  definition: DefinitionRecord | undefined;
  history: FindingChange[];
}

/** The read side of the dashboard. Every method reads; none writes. */
export interface DashboardQueries {
  subscriptions(): Promise<SubscriptionRow[]>;
  overview(subscriptionId?: number): Promise<Overview>;
  applications(query: ApplicationPageQuery): Promise<ApplicationPage>;
  countApplications(filter: ApplicationFilter): Promise<CappedCount>;
  findings(query: FindingPageQuery): Promise<FindingPage>;
  countFindings(filter: FindingFilter): Promise<CappedCount>;
  /** Every finding of the filter in the list's order, `batchSize` rows at a time. */
  exportFindings(
    query: Omit<FindingPageQuery, "limit" | "after">,
    batchSize?: number,
  ): AsyncIterable<FindingListRow[]>;
  finding(subscriptionId: number, uid: string): Promise<FindingDetail | undefined>;
  /** Recorded gate runs, newest first (the store's `listGateRuns`). */
  listGateRuns(filter: GateRunFilter): Promise<GateRunSummary[]>;
  /** One recorded gate run with its result file (the store's `getGateRun`). */
  getGateRun(id: number): Promise<GateRunRow | undefined>;
}

type Db = Kysely<Database>;

/**
 * Sort keys. Severity and last detection are the generated columns of migration 005 (NULL as 0 and ''), so a
 * keyset comparison sees every row and is an index range scan.
 */
function sortColumns(sort: FindingSort): Expression<unknown>[] {
  switch (sort) {
    case "severity":
      return [sql`sort_severity`, sql`sort_last_detected`, sql`subscription_id`, sql`uid`];
    case "lastDetected":
      return [sql`sort_last_detected`, sql`subscription_id`, sql`uid`];
    case "firstDetected":
      return [sql`coalesce(first_detected_date, '')`, sql`subscription_id`, sql`uid`];
    case "qid":
      return [sql`qid`, sql`subscription_id`, sql`uid`];
  }
}

/** The values of a row for its sort, the cursor of the page after it. */
function cursorOf(sort: FindingSort, row: FindingsTable): FindingCursor {
  const sub = Number(row.subscription_id);
  switch (sort) {
    case "severity":
      return [Number(row.severity ?? 0), row.last_detected_date ?? "", sub, row.uid];
    case "lastDetected":
      return [row.last_detected_date ?? "", sub, row.uid];
    case "firstDetected":
      return [row.first_detected_date ?? "", sub, row.uid];
    case "qid":
      return [Number(row.qid), sub, row.uid];
  }
}

/** A LIKE pattern matching `text` literally as a substring (`\` escapes %, _ and itself). */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WHERE of a findings filter, shared by the page, the count and the export so they always agree. */
function findingWhere(filter: FindingFilter): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (filter.subscriptionId !== undefined) parts.push(sql`subscription_id = ${filter.subscriptionId}`);
  if (filter.webAppId !== undefined) parts.push(sql`web_app_id = ${filter.webAppId}`);
  if (filter.severityLabel !== undefined) parts.push(sql`severity_label = ${filter.severityLabel}`);
  if (filter.severity !== undefined) parts.push(sql`severity = ${filter.severity}`);
  if (filter.status !== undefined) parts.push(sql`status = ${filter.status}`);
  if (filter.type !== undefined) parts.push(sql`type = ${filter.type}`);
  if (filter.qid !== undefined) parts.push(sql`qid = ${filter.qid}`);
  // JSON arrays of text: a code matches with its quotes, so CWE-7 does not match CWE-79.
  if (filter.cwe !== undefined)
    parts.push(sql`cwe like ${containing(JSON.stringify(filter.cwe))} escape '\\'`);
  if (filter.owasp !== undefined)
    parts.push(sql`owasp like ${containing(JSON.stringify(filter.owasp))} escape '\\'`);
  if (filter.text !== undefined) {
    const pattern = containing(filter.text);
    parts.push(
      sql`(name like ${pattern} escape '\\' or url like ${pattern} escape '\\' or param like ${pattern} escape '\\')`,
    );
  }
  if (filter.firstDetectedFrom !== undefined)
    parts.push(sql`first_detected_date >= ${filter.firstDetectedFrom}`);
  if (filter.firstDetectedTo !== undefined)
    parts.push(sql`first_detected_date <= ${dayEnd(filter.firstDetectedTo)}`);
  if (filter.lastDetectedFrom !== undefined)
    parts.push(sql`last_detected_date >= ${filter.lastDetectedFrom}`);
  if (filter.lastDetectedTo !== undefined)
    parts.push(sql`last_detected_date <= ${dayEnd(filter.lastDetectedTo)}`);
  if (filter.source !== undefined) parts.push(sql`source = ${filter.source}`);
  if (filter.includeIgnored !== true) parts.push(sql`is_ignored = 0`);
  if (parts.length === 0) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

/** A date-only upper bound covers the whole day (`2026-01-31` takes `2026-01-31T23:59:59Z`). */
function dayEnd(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : value;
}

/** The columns a list shows: every stored field but the evidence texts, which can be large. */
const LIST_COLUMNS = sql.raw(
  [
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
    "null as evidence_request",
    "null as evidence_response",
    "evidence_truncated",
    "authenticated",
    "fingerprint",
  ].join(", "),
);

/** The read queries over a kysely database; `timed` runs one under the time budget (per dialect). */
export function dashboardQueries(
  db: Db,
  timed: <T>(work: (db: Db) => Promise<T>) => Promise<T | undefined>,
): DashboardQueries {
  async function appNames(rows: readonly FindingsTable[]): Promise<Map<string, string>> {
    const keys = new Map<string, { sub: number; id: number }>();
    for (const row of rows) {
      const sub = Number(row.subscription_id);
      const id = Number(row.web_app_id);
      keys.set(`${sub}:${id}`, { sub, id });
    }
    const names = new Map<string, string>();
    if (keys.size === 0) return names;
    const pairs = [...keys.values()].map((k) => sql`(subscription_id = ${k.sub} and id = ${k.id})`);
    const result = await sql<{ subscription_id: number; id: number; name: string }>`
      select subscription_id, id, name from applications where ${sql.join(pairs, sql` or `)}`.execute(db);
    for (const row of result.rows) names.set(`${Number(row.subscription_id)}:${Number(row.id)}`, row.name);
    return names;
  }

  async function page(
    query: FindingPageQuery,
  ): Promise<{ rows: FindingsTable[]; next: FindingCursor | undefined }> {
    const columns = sortColumns(query.sort);
    const desc = query.direction === "desc";
    const where = [findingWhere(query.filter)];
    if (query.after !== undefined) {
      if (query.after.length !== columns.length)
        throw new RangeError("the page cursor does not fit the sort");
      const left = sql`(${sql.join(columns)})`;
      const right = sql`(${sql.join(query.after.map((v) => sql`${v}`))})`;
      where.push(desc ? sql<SqlBool>`${left} < ${right}` : sql<SqlBool>`${left} > ${right}`);
    }
    const order = sql.join(columns.map((c) => (desc ? sql`${c} desc` : sql`${c} asc`)));
    const result = await sql<FindingsTable>`select ${LIST_COLUMNS} from findings
      where ${sql.join(where, sql` and `)} order by ${order} limit ${query.limit + 1}`.execute(db);
    const rows = result.rows.slice(0, query.limit);
    const last = rows.at(-1);
    return {
      rows,
      next: result.rows.length > query.limit && last ? cursorOf(query.sort, last) : undefined,
    };
  }

  async function listRows(rows: FindingsTable[]): Promise<FindingListRow[]> {
    const names = await appNames(rows);
    return rows.map((row) => ({
      subscriptionId: Number(row.subscription_id),
      source: row.source,
      webAppName: names.get(`${Number(row.subscription_id)}:${Number(row.web_app_id)}`),
      record: findingRecord(row),
    }));
  }

  async function cappedCount(from: Expression<unknown>): Promise<CappedCount> {
    const result = await sql<{ n: number | string }>`select count(*) as n from (${from}) capped`.execute(db);
    const count = Number(result.rows[0]?.n ?? 0);
    return { count: Math.min(count, COUNT_CAP), capped: count > COUNT_CAP };
  }

  function applicationWhere(filter: ApplicationFilter): Expression<SqlBool> {
    const parts: Expression<SqlBool>[] = [sql`a.vanished_at is null`];
    if (filter.subscriptionId !== undefined) parts.push(sql`a.subscription_id = ${filter.subscriptionId}`);
    if (filter.name !== undefined) {
      const pattern = containing(filter.name);
      parts.push(sql`(a.name like ${pattern} escape '\\' or a.url like ${pattern} escape '\\')`);
    }
    if (filter.label !== undefined)
      parts.push(sql`a.labels like ${containing(JSON.stringify(filter.label))} escape '\\'`);
    if (filter.severityPresent !== undefined)
      parts.push(sql`exists (select 1 from findings f where f.web_app_id = a.id and f.subscription_id = a.subscription_id
        and f.severity = ${filter.severityPresent} and f.is_ignored = 0 and (f.status is null or f.status <> 'FIXED'))`);
    if (filter.scannedSince !== undefined) parts.push(sql`${lastScan} >= ${filter.scannedSince}`);
    if (filter.scannedBefore !== undefined)
      parts.push(sql`coalesce(${lastScan}, '') < ${filter.scannedBefore}`);
    return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
  }

  /** The latest test of any finding of the web app `a`: one index seek (migration 005). */
  const lastScan = sql`(select max(f.last_tested_date) from findings f where f.web_app_id = a.id and f.subscription_id = a.subscription_id)`;

  function applicationSort(sort: ApplicationSort): Expression<unknown>[] {
    switch (sort) {
      case "name":
        return [sql`a.name`, sql`a.subscription_id`, sql`a.uid`];
      case "label":
        return [sql`a.labels`, sql`a.name`, sql`a.subscription_id`, sql`a.uid`];
      case "lastScan":
        return [sql`coalesce(${lastScan}, '')`, sql`a.subscription_id`, sql`a.uid`];
    }
  }

  return {
    listGateRuns: (filter) => listGateRuns(db, filter),
    getGateRun: (id) => getGateRun(db, id),

    subscriptions: () => listSubscriptions(db),

    async findings(query) {
      const { rows, next } = await page(query);
      return { rows: await listRows(rows), next };
    },

    countFindings(filter) {
      return cappedCount(sql`select 1 from findings where ${findingWhere(filter)} limit ${COUNT_CAP + 1}`);
    },

    async *exportFindings(query, batchSize = 1000) {
      let after: FindingCursor | undefined;
      for (;;) {
        const { rows, next } = await page({ ...query, limit: batchSize, after });
        if (rows.length > 0) yield await listRows(rows);
        if (next === undefined) return;
        after = next;
      }
    },

    async finding(subscriptionId, uid) {
      const row = await db
        .selectFrom("findings")
        .selectAll()
        .where("subscription_id", "=", subscriptionId)
        .where("uid", "=", uid)
        .executeTakeFirst();
      if (!row) return undefined;
      const record = findingRecord(row);
      const [names, definition, history] = await Promise.all([
        appNames([row]),
        db
          .selectFrom("definitions")
          .selectAll()
          .where("subscription_id", "=", subscriptionId)
          .where("qid", "=", record.qid)
          .executeTakeFirst(),
        db
          .selectFrom("finding_history")
          .selectAll()
          .where("subscription_id", "=", subscriptionId)
          .where("finding_uid", "=", uid)
          .orderBy("changed_at")
          .execute(),
      ]);
      const bool = (v: number | null) => (v === null ? null : Number(v) === 1);
      const int = (v: number | null) => (v === null ? null : Number(v));
      return {
        subscriptionId,
        source: row.source,
        firstSeenAt: row.first_seen_at,
        lastSeenAt: row.last_seen_at,
        vanishedAt: row.vanished_at ?? undefined,
        webAppName: names.get(`${subscriptionId}:${record.webAppId}`),
        record,
        definition: definition ? definitionRecord(definition) : undefined,
        history: history.map((h) => ({
          subscriptionId: Number(h.subscription_id),
          findingUid: h.finding_uid,
          changedAt: h.changed_at,
          runId: h.sync_run_id === null ? undefined : Number(h.sync_run_id),
          status: { from: h.status_from, to: h.status_to },
          severity: { from: int(h.severity_from), to: int(h.severity_to) },
          isIgnored: { from: bool(h.ignored_from), to: bool(h.ignored_to) },
          lastDetectedDate: { from: h.last_detected_from, to: h.last_detected_to },
        })),
      };
    },

    async applications(query) {
      const columns = applicationSort(query.sort);
      const desc = query.direction === "desc";
      const where = [applicationWhere(query.filter)];
      if (query.after !== undefined) {
        if (query.after.length !== columns.length)
          throw new RangeError("the page cursor does not fit the sort");
        const left = sql`(${sql.join(columns)})`;
        const right = sql`(${sql.join(query.after.map((v) => sql`${v}`))})`;
        where.push(desc ? sql<SqlBool>`${left} < ${right}` : sql<SqlBool>`${left} > ${right}`);
      }
      const order = sql.join(columns.map((c) => (desc ? sql`${c} desc` : sql`${c} asc`)));
      const result = await sql<{
        subscription_id: number;
        id: number;
        uid: string;
        name: string;
        url: string;
        source: string;
        labels: string;
        tags: string;
        last_scan: string | null;
        sort_values: string;
      }>`select a.subscription_id, a.id, a.uid, a.name, a.url, a.source, a.labels, a.tags, ${lastScan} as last_scan
        from applications a where ${sql.join(where, sql` and `)} order by ${order} limit ${query.limit + 1}`.execute(
        db,
      );
      const rows = result.rows.slice(0, query.limit);
      const counts = new Map<string, { open: Record<number, number>; total: Record<number, number> }>();
      for (const row of rows)
        counts.set(`${Number(row.subscription_id)}:${Number(row.id)}`, { open: {}, total: {} });
      if (rows.length > 0) {
        const pairs = rows.map((r) => sql`(subscription_id = ${r.subscription_id} and web_app_id = ${r.id})`);
        const tally = await sql<{
          subscription_id: number;
          web_app_id: number;
          severity: number | null;
          open: number;
          n: number | string;
        }>`select subscription_id, web_app_id, severity,
            case when is_ignored = 0 and (status is null or status <> 'FIXED') then 1 else 0 end as open, count(*) as n
          from findings where ${sql.join(pairs, sql` or `)}
          group by subscription_id, web_app_id, severity, case when is_ignored = 0 and (status is null or status <> 'FIXED') then 1 else 0 end`.execute(
          db,
        );
        for (const t of tally.rows) {
          const entry = counts.get(`${Number(t.subscription_id)}:${Number(t.web_app_id)}`);
          if (!entry || t.severity === null) continue;
          const severity = Number(t.severity);
          entry.total[severity] = (entry.total[severity] ?? 0) + Number(t.n);
          if (Number(t.open) === 1) entry.open[severity] = (entry.open[severity] ?? 0) + Number(t.n);
        }
      }
      const last = rows.at(-1);
      let next: FindingCursor | undefined;
      if (result.rows.length > query.limit && last) {
        const sub = Number(last.subscription_id);
        next =
          query.sort === "name"
            ? [last.name, sub, last.uid]
            : query.sort === "label"
              ? [last.labels, last.name, sub, last.uid]
              : [last.last_scan ?? "", sub, last.uid];
      }
      return {
        next,
        rows: rows.map((r) => {
          const key = `${Number(r.subscription_id)}:${Number(r.id)}`;
          const tally = counts.get(key) ?? { open: {}, total: {} };
          return {
            subscriptionId: Number(r.subscription_id),
            id: Number(r.id),
            uid: r.uid,
            name: r.name,
            url: r.url,
            source: r.source,
            labels: JSON.parse(r.labels) as string[],
            tags: JSON.parse(r.tags) as string[],
            lastScan: r.last_scan ?? undefined,
            open: tally.open,
            total: tally.total,
          };
        }),
      };
    },

    countApplications(filter) {
      return cappedCount(
        sql`select 1 from applications a where ${applicationWhere(filter)} limit ${COUNT_CAP + 1}`,
      );
    },

    async overview(subscriptionId) {
      const timedOut: string[] = [];
      const sub = subscriptionId === undefined ? sql`1 = 1` : sql`subscription_id = ${subscriptionId}`;
      const part = async <T>(name: string, work: (tx: Db) => Promise<T>, empty: T): Promise<T> => {
        const value = await timed(work);
        if (value === undefined) {
          timedOut.push(name);
          return empty;
        }
        return value;
      };
      const bySeverityRows = await part(
        "severity",
        async (tx) =>
          (
            await sql<{ severity: number | null; label: string | null; n: number | string }>`
              select severity, severity_label as label, count(*) as n from findings
              where ${sub} and is_ignored = 0 and (status is null or status <> 'FIXED')
              group by severity, severity_label`.execute(tx)
          ).rows,
        [],
      );
      const bySeverity: Record<number, number> = {};
      const labels = new Map<string, number>();
      for (const row of bySeverityRows) {
        if (row.severity !== null)
          bySeverity[Number(row.severity)] = (bySeverity[Number(row.severity)] ?? 0) + Number(row.n);
        const label = row.label ?? "(none)";
        labels.set(label, (labels.get(label) ?? 0) + Number(row.n));
      }
      const byStatus = await part(
        "status",
        async (tx) =>
          (
            await sql<{
              status: string | null;
              n: number | string;
            }>`select status, count(*) as n from findings
              where ${sub} and is_ignored = 0 group by status order by status`.execute(tx)
          ).rows.map((r) => ({ status: r.status ?? "(none)", count: Number(r.n) })),
        [],
      );
      const timeline = await part(
        "timeline",
        async (tx) => {
          const detected = await sql<{ month: string; n: number | string }>`
            select substr(first_detected_date, 1, 7) as month, count(*) as n from findings
            where ${sub} and first_detected_date is not null group by substr(first_detected_date, 1, 7)`.execute(
            tx,
          );
          const fixed = await sql<{ month: string; n: number | string }>`
            select substr(fixed_date, 1, 7) as month, count(*) as n from findings
            where ${sub} and fixed_date is not null group by substr(fixed_date, 1, 7)`.execute(tx);
          const months = new Map<string, { detected: number; fixed: number }>();
          for (const r of detected.rows) months.set(r.month, { detected: Number(r.n), fixed: 0 });
          for (const r of fixed.rows) {
            const entry = months.get(r.month) ?? { detected: 0, fixed: 0 };
            entry.fixed = Number(r.n);
            months.set(r.month, entry);
          }
          return [...months.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .slice(-24)
            .map(([month, v]) => ({ month, ...v }));
        },
        [],
      );
      const topApplications = await part(
        "top applications",
        async (tx) =>
          (
            await sql<{
              subscription_id: number;
              web_app_id: number;
              urgent: number | string;
              critical: number | string;
            }>`
              select subscription_id, web_app_id,
                sum(case when severity = 5 then 1 else 0 end) as urgent,
                sum(case when severity = 4 then 1 else 0 end) as critical
              from findings where ${sub} and severity >= 4 and is_ignored = 0 and (status is null or status <> 'FIXED')
              group by subscription_id, web_app_id
              order by sum(case when severity = 5 then 1 else 0 end) desc, sum(case when severity = 4 then 1 else 0 end) desc, web_app_id
              limit 10`.execute(tx)
          ).rows,
        [],
      );
      const names = await appNames(
        topApplications.map(
          (r) => ({ subscription_id: r.subscription_id, web_app_id: r.web_app_id }) as FindingsTable,
        ),
      );
      const runs = await db
        .selectFrom("sync_runs")
        .select(["id", "subscription_id", "stream", "mode", "status", "started_at", "ended_at"])
        .where(sub as Expression<SqlBool>)
        .orderBy("id", "desc")
        .limit(10)
        .execute();
      const imports = await db
        .selectFrom("report_imports")
        .select(["id", "subscription_id", "kind", "file_name", "imported_at", "title"])
        .where(sub as Expression<SqlBool>)
        .orderBy("id", "desc")
        .limit(10)
        .execute();
      return {
        bySeverity,
        bySeverityLabel: [...labels.entries()].map(([label, count]) => ({ label, count })),
        byStatus,
        timeline,
        topApplications: topApplications.map((r) => ({
          subscriptionId: Number(r.subscription_id),
          id: Number(r.web_app_id),
          name: names.get(`${Number(r.subscription_id)}:${Number(r.web_app_id)}`) ?? String(r.web_app_id),
          urgent: Number(r.urgent),
          critical: Number(r.critical),
        })),
        runs: runs.map((r) => ({
          id: Number(r.id),
          subscriptionId: Number(r.subscription_id),
          stream: r.stream,
          mode: r.mode,
          status: r.status,
          startedAt: r.started_at,
          endedAt: r.ended_at ?? undefined,
        })),
        imports: imports.map((r) => ({
          id: Number(r.id),
          subscriptionId: Number(r.subscription_id),
          kind: r.kind,
          fileName: r.file_name,
          importedAt: r.imported_at,
          title: r.title ?? undefined,
        })),
        timedOut,
      };
    },
  };
}
