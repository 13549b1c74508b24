/**
 * Table types (kysely) and the numbered migrations, shared by SQLite and PostgreSQL. Portable column types only:
 * text, integer, bigint (Qualys ids are Longs), double precision; JSON arrays as text; booleans as 0/1 integers; dates as ISO text (Qualys sends them so).
 */

import { fingerprint } from "@qualys-connector/model";
import { type Kysely, type Migration, sql } from "kysely";

export interface SubscriptionsTable {
  id: number;
  api_url: string;
  username: string;
  created_at: string;
}

/** Columns every synced row has. */
interface RowMeta {
  subscription_id: number;
  uid: string;
  source: string;
  /** SHA-256 of the normalized record: unchanged rows are not rewritten. */
  content_hash: string;
  first_seen_at: string;
  last_seen_at: string;
  vanished_at: string | null;
}

export interface ApplicationsTable extends RowMeta {
  id: number;
  name: string;
  url: string;
  owner_id: number | null;
  tags: string;
  categories: string;
  created_date: string | null;
  updated_date: string | null;
  /** JSON array of the labels imports put on the web app (`importReport`'s `label`); merged, never replaced. */
  labels: string;
}

export interface FindingsTable extends RowMeta {
  id: number;
  web_app_id: number;
  qid: number;
  name: string;
  type: string;
  potential: number;
  status: string | null;
  severity: number | null;
  severity_label: string | null;
  url: string | null;
  param: string | null;
  first_detected_date: string | null;
  last_detected_date: string | null;
  last_tested_date: string | null;
  fixed_date: string | null;
  times_detected: number | null;
  is_ignored: number;
  ignored_reason: string | null;
  ignored_date: string | null;
  cwe: string;
  owasp: string;
  wasc: string;
  categories: string;
  evidence_request: string | null;
  evidence_response: string | null;
  evidence_truncated: number;
  /** 1 logged in, 0 not, null unknown. */
  authenticated: number | null;
  /** `fingerprint({ target: web app id, qid, url, param })` (model): matches a report finding that has no uniqueId. */
  fingerprint: string | null;
}

export interface DefinitionsTable extends RowMeta {
  qid: number;
  title: string;
  severity: number | null;
  severity_score: number;
  categories: string;
  vuln_type: string | null;
  cves: string;
  cvss_v2_base: number | null;
  cvss_v2_vector: string | null;
  cvss_v3_base: number | null;
  cvss_v3_vector: string | null;
  diagnosis: string | null;
  consequence: string | null;
  solution: string | null;
  pci: number;
  published_date: string | null;
  last_service_modification_date: string | null;
}

export interface FindingHistoryTable {
  subscription_id: number;
  finding_uid: string;
  changed_at: string;
  sync_run_id: number | null;
  status_from: string | null;
  status_to: string | null;
  severity_from: number | null;
  severity_to: number | null;
  ignored_from: number | null;
  ignored_to: number | null;
  last_detected_from: string | null;
  last_detected_to: string | null;
}

export interface SyncRunsTable {
  id: number;
  subscription_id: number;
  stream: string;
  mode: string;
  started_at: string;
  ended_at: string | null;
  status: string;
  records_added: number;
  records_updated: number;
  records_unchanged: number;
  records_vanished: number;
  api_calls: number;
  retries: number;
  errors: string;
}

/** One imported report file (or pulled report): its provenance, so every `report` row can be traced. */
export interface ReportImportsTable {
  id: number;
  subscription_id: number;
  sync_run_id: number | null;
  kind: string;
  file_name: string;
  sha256: string;
  bytes: number;
  report_id: number | null;
  title: string | null;
  generated_at: string | null;
  /** JSON array of text. */
  scan_ids: string;
  /** JSON array of numbers. */
  web_app_ids: string;
  imported_at: string;
  /** JSON of the reader's ReportCounts. */
  counts: string;
}

/** One verdict of a gate command run with `--db` (gate-runs.ts). */
export interface GateRunsTable {
  id: number;
  /** Null for an offline `evaluate` that names no subscription. */
  subscription_id: number | null;
  command: string;
  kind: string;
  target_key: string;
  target_name: string | null;
  scan_id: string | null;
  scan_ref: string | null;
  verdict: string;
  exit_code: number;
  started_at: string;
  finished_at: string;
  recorded_at: string;
  /** JSON of the counted vulnerabilities per severity. */
  counts: string;
  finding_count: number;
  /** The complete redacted result file (JSON). */
  result_json: string;
}

export interface SyncStateTable {
  subscription_id: number;
  stream: string;
  cursor: string | null;
  checkpoint: string | null;
  updated_at: string;
}

export interface Database {
  subscriptions: SubscriptionsTable;
  applications: ApplicationsTable;
  findings: FindingsTable;
  definitions: DefinitionsTable;
  finding_history: FindingHistoryTable;
  sync_runs: SyncRunsTable;
  sync_state: SyncStateTable;
  report_imports: ReportImportsTable;
  gate_runs: GateRunsTable;
}

/** Auto-increment ids: INTEGER PRIMARY KEY on SQLite, identity on PostgreSQL. */
function idColumn(dialect: "sqlite" | "postgres") {
  return dialect === "sqlite"
    ? sql`integer primary key autoincrement`
    : sql`integer generated by default as identity primary key`;
}

/** Numbered migrations; never edited once released, only added to. */
export function migrations(dialect: "sqlite" | "postgres"): Record<string, Migration> {
  return {
    "001_initial": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("subscriptions")
          .addColumn("id", sql`${idColumn(dialect)}`)
          .addColumn("api_url", "text", (c) => c.notNull())
          .addColumn("username", "text", (c) => c.notNull())
          .addColumn("created_at", "text", (c) => c.notNull())
          .addUniqueConstraint("subscriptions_key", ["api_url", "username"])
          .execute();

        const withMeta = (name: string) =>
          db.schema
            .createTable(name)
            .addColumn("subscription_id", "integer", (c) => c.notNull().references("subscriptions.id"))
            .addColumn("uid", "text", (c) => c.notNull())
            .addColumn("source", "text", (c) => c.notNull())
            .addColumn("content_hash", "text", (c) => c.notNull())
            .addColumn("first_seen_at", "text", (c) => c.notNull())
            .addColumn("last_seen_at", "text", (c) => c.notNull())
            .addColumn("vanished_at", "text")
            .addPrimaryKeyConstraint(`${name}_pk`, ["subscription_id", "uid"]);

        await withMeta("applications")
          .addColumn("id", "bigint", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("url", "text", (c) => c.notNull())
          .addColumn("owner_id", "bigint")
          .addColumn("tags", "text", (c) => c.notNull())
          .addColumn("categories", "text", (c) => c.notNull())
          .addColumn("created_date", "text")
          .addColumn("updated_date", "text")
          .execute();

        await withMeta("findings")
          .addColumn("id", "bigint", (c) => c.notNull())
          .addColumn("web_app_id", "bigint", (c) => c.notNull())
          .addColumn("qid", "integer", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("potential", "integer", (c) => c.notNull())
          .addColumn("status", "text")
          .addColumn("severity", "integer")
          .addColumn("severity_label", "text")
          .addColumn("url", "text")
          .addColumn("param", "text")
          .addColumn("first_detected_date", "text")
          .addColumn("last_detected_date", "text")
          .addColumn("last_tested_date", "text")
          .addColumn("fixed_date", "text")
          .addColumn("times_detected", "integer")
          .addColumn("is_ignored", "integer", (c) => c.notNull())
          .addColumn("ignored_reason", "text")
          .addColumn("ignored_date", "text")
          .addColumn("cwe", "text", (c) => c.notNull())
          .addColumn("owasp", "text", (c) => c.notNull())
          .addColumn("wasc", "text", (c) => c.notNull())
          .addColumn("categories", "text", (c) => c.notNull())
          .addColumn("evidence_request", "text")
          .addColumn("evidence_response", "text")
          .addColumn("evidence_truncated", "integer", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("findings_web_app")
          .on("findings")
          .columns(["subscription_id", "web_app_id"])
          .execute();
        await db.schema
          .createIndex("findings_qid")
          .on("findings")
          .columns(["subscription_id", "qid"])
          .execute();

        await withMeta("definitions")
          .addColumn("qid", "integer", (c) => c.notNull())
          .addColumn("title", "text", (c) => c.notNull())
          .addColumn("severity", "integer")
          .addColumn("severity_score", "double precision", (c) => c.notNull())
          .addColumn("categories", "text", (c) => c.notNull())
          .addColumn("vuln_type", "text")
          .addColumn("cves", "text", (c) => c.notNull())
          .addColumn("cvss_v2_base", "double precision")
          .addColumn("cvss_v2_vector", "text")
          .addColumn("cvss_v3_base", "double precision")
          .addColumn("cvss_v3_vector", "text")
          .addColumn("diagnosis", "text")
          .addColumn("consequence", "text")
          .addColumn("solution", "text")
          .addColumn("pci", "integer", (c) => c.notNull())
          .addColumn("published_date", "text")
          .addColumn("last_service_modification_date", "text")
          .execute();

        await db.schema
          .createTable("finding_history")
          .addColumn("subscription_id", "integer", (c) => c.notNull().references("subscriptions.id"))
          .addColumn("finding_uid", "text", (c) => c.notNull())
          .addColumn("changed_at", "text", (c) => c.notNull())
          .addColumn("sync_run_id", "integer")
          .addColumn("status_from", "text")
          .addColumn("status_to", "text")
          .addColumn("severity_from", "integer")
          .addColumn("severity_to", "integer")
          .addColumn("ignored_from", "integer")
          .addColumn("ignored_to", "integer")
          .addColumn("last_detected_from", "text")
          .addColumn("last_detected_to", "text")
          .execute();
        await db.schema
          .createIndex("finding_history_uid")
          .on("finding_history")
          .columns(["subscription_id", "finding_uid"])
          .execute();

        await db.schema
          .createTable("sync_runs")
          .addColumn("id", sql`${idColumn(dialect)}`)
          .addColumn("subscription_id", "integer", (c) => c.notNull().references("subscriptions.id"))
          .addColumn("stream", "text", (c) => c.notNull())
          .addColumn("mode", "text", (c) => c.notNull())
          .addColumn("started_at", "text", (c) => c.notNull())
          .addColumn("ended_at", "text")
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("records_added", "integer", (c) => c.notNull())
          .addColumn("records_updated", "integer", (c) => c.notNull())
          .addColumn("records_unchanged", "integer", (c) => c.notNull())
          .addColumn("records_vanished", "integer", (c) => c.notNull())
          .addColumn("api_calls", "integer", (c) => c.notNull())
          .addColumn("retries", "integer", (c) => c.notNull())
          .addColumn("errors", "text", (c) => c.notNull())
          .execute();

        await db.schema
          .createTable("sync_state")
          .addColumn("subscription_id", "integer", (c) => c.notNull().references("subscriptions.id"))
          .addColumn("stream", "text", (c) => c.notNull())
          .addColumn("cursor", "text")
          .addColumn("checkpoint", "text")
          .addColumn("updated_at", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("sync_state_pk", ["subscription_id", "stream"])
          .execute();
      },
    },
    "002_wasc_codes": {
      // Findings stored before classes had one home hold Qualys' bare WASC numbers (`["22"]`); new rows hold
      // `WASC-22`, as the gate always showed them. Rewrite what is unambiguous, a page of rows at a time. OWASP
      // codes stay as stored: the edition Qualys gave with them was not kept, and a number alone cannot tell it
      // (a `sync --full` rewrites them with their edition).
      async up(db: Kysely<unknown>) {
        let after: { subscription: number; uid: string } | undefined;
        for (;;) {
          const { rows } = await sql<{ subscription_id: number; uid: string; wasc: string }>`
            select subscription_id, uid, wasc from findings
            where wasc <> '[]'
            ${after ? sql`and (subscription_id > ${after.subscription} or (subscription_id = ${after.subscription} and uid > ${after.uid}))` : sql``}
            order by subscription_id, uid
            limit 1000`.execute(db);
          for (const row of rows) {
            const codes = JSON.parse(row.wasc) as unknown;
            if (!Array.isArray(codes)) continue;
            const fixed = codes.map((c) => (typeof c === "string" && /^\d+$/.test(c) ? `WASC-${c}` : c));
            if (fixed.every((c, i) => c === codes[i])) continue;
            await sql`update findings set wasc = ${JSON.stringify(fixed)}
              where subscription_id = ${row.subscription_id} and uid = ${row.uid}`.execute(db);
          }
          const last = rows.at(-1);
          if (!last || rows.length < 1000) return;
          after = { subscription: Number(last.subscription_id), uid: last.uid };
        }
      },
    },
    "003_report_imports": {
      // Report imports: their provenance table, the fingerprint that matches a report finding without a
      // uniqueId to a stored one, whether the scanner was logged in, and the labels an import puts on web apps.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("report_imports")
          .addColumn("id", sql`${idColumn(dialect)}`)
          .addColumn("subscription_id", "integer", (c) => c.notNull().references("subscriptions.id"))
          .addColumn("sync_run_id", "integer")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("file_name", "text", (c) => c.notNull())
          .addColumn("sha256", "text", (c) => c.notNull())
          .addColumn("bytes", "bigint", (c) => c.notNull())
          .addColumn("report_id", "bigint")
          .addColumn("title", "text")
          .addColumn("generated_at", "text")
          .addColumn("scan_ids", "text", (c) => c.notNull())
          .addColumn("web_app_ids", "text", (c) => c.notNull())
          .addColumn("imported_at", "text", (c) => c.notNull())
          .addColumn("counts", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("report_imports_sha256")
          .on("report_imports")
          .columns(["subscription_id", "sha256"])
          .execute();
        await db.schema
          .createIndex("report_imports_report_id")
          .on("report_imports")
          .columns(["subscription_id", "report_id"])
          .execute();
        // SQLite adds one column per ALTER TABLE.
        await db.schema.alterTable("findings").addColumn("authenticated", "integer").execute();
        await db.schema.alterTable("findings").addColumn("fingerprint", "text").execute();
        await db.schema
          .alterTable("applications")
          .addColumn("labels", "text", (c) => c.notNull().defaultTo("[]"))
          .execute();
        // Findings stored before get their fingerprint, a page of rows at a time; every upsert computes it.
        let after: { subscription: number; uid: string } | undefined;
        for (;;) {
          const { rows } = await sql<{
            subscription_id: number;
            uid: string;
            web_app_id: number;
            qid: number;
            url: string | null;
            param: string | null;
          }>`
            select subscription_id, uid, web_app_id, qid, url, param from findings
            ${after ? sql`where (subscription_id > ${after.subscription} or (subscription_id = ${after.subscription} and uid > ${after.uid}))` : sql``}
            order by subscription_id, uid
            limit 1000`.execute(db);
          for (const row of rows) {
            const value = findingFingerprint(Number(row.web_app_id), Number(row.qid), row.url, row.param);
            await sql`update findings set fingerprint = ${value}
              where subscription_id = ${row.subscription_id} and uid = ${row.uid}`.execute(db);
          }
          const last = rows.at(-1);
          if (!last || rows.length < 1000) break;
          after = { subscription: Number(last.subscription_id), uid: last.uid };
        }
        await db.schema
          .createIndex("findings_fingerprint")
          .on("findings")
          .columns(["subscription_id", "fingerprint"])
          .execute();
      },
    },
    "004_gate_runs": {
      // Verdicts of the gate commands run with --db: summary columns to list them by target, and the whole
      // redacted result file to show one.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("gate_runs")
          .addColumn("id", sql`${idColumn(dialect)}`)
          .addColumn("subscription_id", "integer", (c) => c.references("subscriptions.id"))
          .addColumn("command", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("target_key", "text", (c) => c.notNull())
          .addColumn("target_name", "text")
          .addColumn("scan_id", "text")
          .addColumn("scan_ref", "text")
          .addColumn("verdict", "text", (c) => c.notNull())
          .addColumn("exit_code", "integer", (c) => c.notNull())
          .addColumn("started_at", "text", (c) => c.notNull())
          .addColumn("finished_at", "text", (c) => c.notNull())
          .addColumn("recorded_at", "text", (c) => c.notNull())
          .addColumn("counts", "text", (c) => c.notNull())
          .addColumn("finding_count", "integer", (c) => c.notNull())
          .addColumn("result_json", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("gate_runs_target")
          .on("gate_runs")
          .columns(["target_key", "id desc"])
          .execute();
        // Listing every run newest first walks the primary key backwards; a filtered listing by kind or
        // subscription uses this one.
        await db.schema.createIndex("gate_runs_kind").on("gate_runs").columns(["kind", "id desc"]).execute();
      },
    },
    "005_dashboard_indexes": {
      // The dashboard's reads (docs/dashboard.md): a web app's findings by severity and status (its counts), its
      // latest test (its last scan), and the two indexed orders of the findings list. A keyset page is a range
      // scan only when its row comparison names index columns (SQLite does not range-scan a row of expressions),
      // so the sort keys are generated columns: severity and last detection with NULL as 0 and '' (both dialects
      // then order them alike). Virtual on SQLite (ALTER TABLE adds no stored one), stored on PostgreSQL.
      async up(db: Kysely<unknown>) {
        const generated = dialect === "sqlite" ? "virtual" : "stored";
        const statements = [
          `alter table findings add column sort_severity integer generated always as (coalesce(severity, 0)) ${generated}`,
          `alter table findings add column sort_last_detected text generated always as (coalesce(last_detected_date, '')) ${generated}`,
          "create index findings_dash_app on findings (web_app_id, subscription_id, severity, status, is_ignored)",
          "create index findings_dash_app_tested on findings (web_app_id, subscription_id, last_tested_date)",
          "create index findings_dash_severity on findings (sort_severity, sort_last_detected, subscription_id, uid)",
          "create index findings_dash_last_detected on findings (sort_last_detected, subscription_id, uid)",
        ];
        for (const statement of statements) await sql.raw(statement).execute(db);
      },
    },
  };
}

/** The stored fingerprint of a finding: the model's, over its web app, QID, URL and parameter. */
export function findingFingerprint(
  webAppId: number,
  qid: number,
  url: string | null | undefined,
  param: string | null | undefined,
): string {
  return fingerprint({ target: String(webAppId), qid, url: url ?? undefined, param: param ?? undefined });
}
