/**
 * The store: one interface over synced Qualys data, implemented for SQLite (the embedded default) and
 * PostgreSQL with the same migrations and queries (kysely). Every row carries its subscription (API URL + user
 * name, so several subscriptions share one database) and its source.
 */

import type {
  ApplicationRecord,
  DefinitionRecord,
  FindingRecord,
  ReportCounts,
  ReportProvenance,
} from "@qualys-connector/model";
import type { GateRunFilter, GateRunInput, GateRunRow, GateRunSummary } from "./gate-runs.js";

export type StoredObject = "webapps" | "findings" | "definitions";
export const STORED_OBJECTS: readonly StoredObject[] = ["webapps", "findings", "definitions"];

export interface SubscriptionKey {
  apiUrl: string;
  username: string;
}

/** A subscription the store holds rows of. */
export interface SubscriptionRow extends SubscriptionKey {
  id: number;
  createdAt: string;
}

/** Where a batch of records came from and when, for every row it writes. */
export interface WriteContext {
  subscriptionId: number;
  /**
   * `api` for a sync, `report` for an imported report (which report: the `report_imports` row of the write's
   * run, `ReportImportRow.runId`).
   */
  source: string;
  /** ISO time of the write; rows remember when they were first and last seen. */
  now: string;
  /** The sync run writing, for the history of finding changes. */
  runId: number | undefined;
  /**
   * Told what the write did to each record: `added` only when this write's insert created the row (not when a
   * concurrent writer created it first), so a run that tallies these counts each record once and exactly.
   */
  onRecord?: ((uid: string, outcome: UpsertOutcome) => void) | undefined;
  /**
   * Findings: a record whose uid is not stored but whose fingerprint (web app + QID + URL + parameter) matches a
   * stored finding of the subscription updates that row and keeps its uid (`onRecord` is told the stored uid).
   * For report findings that carried no uniqueId. Off by default.
   * `keyed-rows`: only stored findings keyed by their fingerprint (uid = fingerprint: an import stored them from
   * a record without a uniqueId) are matched, so a sync meets the finding an import stored first without ever
   * joining two findings that both have a uniqueId.
   */
  matchByFingerprint?: boolean | "keyed-rows" | undefined;
  /**
   * Findings: how an incoming record meets the stored one. Absent: it replaces it (the API sync).
   * `newer-detection`: a stored row last detected after the incoming record is left as is; otherwise fields
   * the incoming record lacks (undefined, and evidence with neither request nor response) keep their stored
   * values, and a FIXED finding detected again after it was fixed, by a record without a status, becomes
   * REOPENED (its fixed date cleared).
   */
  merge?: "newer-detection" | undefined;
  /** Applications: labels added to each written row (a set union with the labels it has). */
  labels?: readonly string[] | undefined;
}

export type UpsertOutcome = "added" | "updated" | "unchanged";

export interface UpsertCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/** A stream's saved position: its cursor, and the checkpoint of an unfinished run (to resume from). */
export interface StreamState {
  /** ISO time: the next incremental run asks for records changed since this (minus the overlap window). */
  cursor: string | undefined;
  /** Opaque position inside an unfinished run, e.g. the last committed id of a paged search. */
  checkpoint: Record<string, unknown> | undefined;
  updatedAt: string;
}

export interface SyncRunStats {
  status: "succeeded" | "failed" | "interrupted";
  added: number;
  updated: number;
  unchanged: number;
  vanished: number;
  apiCalls: number;
  retries: number;
  errors: string[];
}

/** The sync lock of a subscription, held by one run at a time; `release` is idempotent. */
export interface SyncLock {
  release(): Promise<void>;
}

export interface SyncLockOptions {
  /** How long to wait for another sync to finish before giving up with a SyncLockedError. */
  waitMs: number;
  signal?: AbortSignal | undefined;
}

export interface SyncRunRow extends SyncRunStats {
  id: number;
  subscriptionId: number;
  stream: string;
  mode: "incremental" | "full";
  startedAt: string;
  endedAt: string | undefined;
}

/** One change of a finding's state between two syncs. */
export interface FindingChange {
  subscriptionId: number;
  findingUid: string;
  changedAt: string;
  runId: number | undefined;
  status: { from: string | null; to: string | null };
  severity: { from: number | null; to: number | null };
  isIgnored: { from: boolean | null; to: boolean | null };
  lastDetectedDate: { from: string | null; to: string | null };
}

export interface StoredRow<T> {
  record: T;
  subscriptionId: number;
  source: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Set by a full sync when the record no longer exists in Qualys. */
  vanishedAt: string | undefined;
}

/** A stored web app with the labels imports gave it. */
export interface StoredApplicationRow extends StoredRow<ApplicationRecord> {
  labels: string[];
}

/** What `recordReportImport` stores: the provenance and counts of one imported report. */
export interface ReportImportInput {
  subscriptionId: number;
  /** The run that wrote the report's rows. */
  runId: number | undefined;
  provenance: ReportProvenance;
  counts: ReportCounts;
  /** ISO time of the import. */
  importedAt: string;
}

/** One recorded report import: its provenance, as the reader gave it, and what the import recorded with it. */
export interface ReportImportRow extends ReportProvenance {
  id: number;
  subscriptionId: number;
  runId: number | undefined;
  importedAt: string;
  counts: ReportCounts;
}

/** Which open findings of one web app `closeAbsentFindings` closes. */
export interface CloseAbsentOptions {
  subscriptionId: number;
  webAppId: number;
  /** Uids the closing report wrote or matched: never closed. */
  present: ReadonlySet<string>;
  /** Only findings last detected at or before this ISO time (or never): a later detection is newer news. */
  detectedUntil: string;
  /** The fixed date the closed findings get. */
  fixedDate: string;
  /** ISO time of the write (history's `changed_at`). */
  now: string;
  /** The run closing them, recorded in finding_history. */
  runId: number | undefined;
}

export interface ListOptions {
  subscriptionId?: number | undefined;
  /** Rows last seen at or after this ISO time. */
  since?: string | undefined;
  includeVanished?: boolean | undefined;
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  /** Where it is, with any password removed: `sqlite:./qualys.db`, `postgres://user@host:5432/db`. */
  readonly location: string;
  /** Apply the numbered migrations not applied yet. Safe to call on every start. */
  migrate(): Promise<void>;
  /** The id of a subscription, created on first use. */
  subscription(key: SubscriptionKey): Promise<number>;
  /** Every subscription the store knows, by id. */
  subscriptions(): Promise<SubscriptionRow[]>;
  /** Run `work` in one transaction: a page of records and the cursor that covers it commit together. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  upsertApplications(records: readonly ApplicationRecord[], ctx: WriteContext): Promise<UpsertCounts>;
  /** Also records a FindingChange for each finding whose status, severity, ignored flag or last detection moved. */
  upsertFindings(records: readonly FindingRecord[], ctx: WriteContext): Promise<UpsertCounts>;
  upsertDefinitions(records: readonly DefinitionRecord[], ctx: WriteContext): Promise<UpsertCounts>;
  /** Mark rows of `object` not seen since `seenSince` (a full sync's start) as vanished; returns how many. */
  markVanished(object: StoredObject, subscriptionId: number, seenSince: string, now: string): Promise<number>;
  getState(subscriptionId: number, stream: string): Promise<StreamState | undefined>;
  setState(subscriptionId: number, stream: string, state: StreamState): Promise<void>;
  /**
   * Take the sync lock of a subscription (SQLite: of the whole database, which has one writer at a time),
   * waiting up to `waitMs` for a sync that holds it. It is released by `release()` or when the process ends, so
   * a killed sync never leaves it taken. Throws SyncLockedError naming the run that holds it.
   */
  lockSync(subscriptionId: number, options: SyncLockOptions): Promise<SyncLock>;
  /**
   * Record a run's start; a run of the same stream left `running` (killed: its holder no longer holds the
   * sync lock) is closed as interrupted. Call it while holding the lock.
   */
  startRun(
    subscriptionId: number,
    stream: string,
    mode: "incremental" | "full",
    now: string,
  ): Promise<number>;
  finishRun(runId: number, stats: SyncRunStats, now: string): Promise<void>;
  runs(subscriptionId?: number): Promise<SyncRunRow[]>;
  applications(options?: ListOptions): AsyncIterable<StoredApplicationRow>;
  findings(options?: ListOptions): AsyncIterable<StoredRow<FindingRecord>>;
  definitions(options?: ListOptions): AsyncIterable<StoredRow<DefinitionRecord>>;
  findingChanges(subscriptionId?: number): Promise<FindingChange[]>;
  /** QIDs referenced by stored findings that have no stored definition yet. */
  missingDefinitionQids(subscriptionId: number): Promise<number[]>;
  /** Record an imported report; returns its id. Call it in the import's transaction. */
  recordReportImport(input: ReportImportInput): Promise<number>;
  /** The first recorded import of a subscription with this SHA-256, or with this Qualys report id. */
  findReportImport(
    subscriptionId: number,
    by: { sha256: string } | { reportId: number },
  ): Promise<ReportImportRow | undefined>;
  /** Recorded imports, by id (of one subscription, or of all). */
  reportImports(subscriptionId?: number): Promise<ReportImportRow[]>;
  /** The latest generation time among recorded imports of the subscription that cover the web app. */
  latestReportGeneratedAt(subscriptionId: number, webAppId: number): Promise<string | undefined>;
  /**
   * Close the web app's open findings (type VULNERABILITY or SENSITIVE_CONTENT, status not FIXED) that are not
   * in `present` and were last detected no later than `detectedUntil`: they become FIXED with `fixedDate`, each
   * change recorded in finding_history. Returns the uids closed.
   */
  closeAbsentFindings(options: CloseAbsentOptions): Promise<string[]>;
  /** Record one verdict of a gate command; returns the run's id. */
  recordGateRun(input: GateRunInput): Promise<number>;
  /** Recorded gate runs, newest first; page with `beforeId` (the last id of the previous page). */
  listGateRuns(filter: GateRunFilter): Promise<GateRunSummary[]>;
  /** One recorded gate run with its result file. */
  getGateRun(id: number): Promise<GateRunRow | undefined>;
  close(): Promise<void>;
}
