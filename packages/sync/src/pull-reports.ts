/**
 * Report pulls: the WAS reports a Qualys user saved (WAS_WEBAPP_REPORT, optionally WAS_SCAN_REPORT), searched by
 * type, state, format and creation date (docs/qualys-api.md 3.10), filtered by title prefix here (the search has
 * no "starts with" operator), downloaded one at a time and imported streamed from the socket, each report in its
 * own transaction. A report counts as imported only once its transaction committed, so a run that fails or is
 * stopped half way is simply run again: the store remembers the report ids it holds and skips them.
 *
 * Optionally it first asks Qualys to create a WAS_WEBAPP_REPORT (for web app ids or a tag), searching for it by
 * its name before creating, so a retried run reuses the report instead of creating a second one; it waits for it
 * to be COMPLETE or ERROR and deletes it afterwards (only a report with this run's name, never one a user saved).
 */

import {
  type QualysClient,
  type ReportCriteria,
  type ReportFileStream,
  type ReportSummary,
  redact,
  sleep,
} from "@qualys-connector/client";
import type { ReportCounts, SeverityLabelMap } from "@qualys-connector/model";
import { readReport } from "@qualys-connector/reports";
import type { Store, SubscriptionKey } from "@qualys-connector/store";
import { type ImportReportResult, importReport } from "./import-report.js";

/** The report types a pull reads. Scan reports only when asked (they repeat what the web app reports say). */
export type PulledReportType = "WAS_WEBAPP_REPORT" | "WAS_SCAN_REPORT";

/** A saved report as the search lists it. */
export interface PulledReport {
  id: number;
  name: string;
  type: string;
  format: string;
  status: string;
  creationDate: string | undefined;
}

/** Ask Qualys for a new WAS_WEBAPP_REPORT before pulling: for these web apps, or for the web apps with a tag. */
export type CreateReportRequest = { webAppIds: readonly number[] } | { tag: string };

export interface PullReportsOptions {
  subscription: SubscriptionKey;
  /** Only reports whose title starts with this text (all when absent). */
  titlePrefix?: string | undefined;
  /** Only reports created at or after this ISO time. */
  createdSince: string;
  /** Default: WAS_WEBAPP_REPORT only. */
  types?: readonly PulledReportType[] | undefined;
  create?: CreateReportRequest | undefined;
  /** Severity labels for the imported findings (the sync's map). */
  labels?: SeverityLabelMap | undefined;
  /** A label stored on the imported web apps. */
  label?: string | undefined;
  /** Close the open findings of a covered web app that a newer report no longer lists. */
  autoClose?: boolean | undefined;
  /** Between two status calls of a created report. Default 5 s. */
  pollIntervalMs?: number | undefined;
  /** How long a created report may take. Default 30 minutes. */
  createTimeoutMs?: number | undefined;
  /** Where the reader may spill a zipped report. Default: the system's temporary folder. */
  tempDir?: string | undefined;
  signal?: AbortSignal | undefined;
  progress?: ((event: PullProgress) => void) | undefined;
  now?: (() => number) | undefined;
}

export type PullProgress =
  | { kind: "searched"; found: number; matching: number; alreadyImported: number }
  | { kind: "create"; reportId: number; name: string; reused: boolean }
  | { kind: "create-status"; reportId: number; status: string }
  | { kind: "report-start"; report: PulledReport }
  | { kind: "report-bytes"; report: PulledReport; bytes: number; records: number }
  | { kind: "report-end"; pulled: PulledOutcome }
  | { kind: "deleted"; reportId: number };

/** What became of one report of the pull. */
export type PulledOutcome =
  | {
      report: PulledReport;
      outcome: "imported" | "already-imported";
      result: ImportReportResult;
      /** What the report held, as the reader counted it. */
      read: ReportCounts | undefined;
    }
  | { report: PulledReport; outcome: "failed"; error: string };

export interface PullReportsResult {
  subscriptionId: number;
  /** Reports the search returned that match the prefix and window, newest id last. */
  matching: PulledReport[];
  /** Of those, the ids the store already held (not downloaded again). */
  skipped: number[];
  /** The reports downloaded this run, in order. */
  pulled: PulledOutcome[];
  /**
   * The report this run asked Qualys to create (or found from an earlier try), its last status and whether it was
   * deleted; or, when creating or waiting failed, why (`error`; the saved reports were pulled all the same).
   */
  created: CreatedOutcome | undefined;
}

export interface CreatedOutcome {
  /** Undefined when creating it failed. */
  reportId: number | undefined;
  /** Found from an earlier run by its name, not created by this one. */
  reused: boolean;
  status: string | undefined;
  deleted: boolean;
  /** Why the report could not be had: not created, not ready in time, or ended in ERROR. */
  error: string | undefined;
}

/** Name of a report the pull creates: stable for a target and a day, so a retried run finds it. */
export function createdReportName(
  prefix: string | undefined,
  request: CreateReportRequest,
  now: Date,
): string {
  const target =
    "tag" in request
      ? `tag ${request.tag}`
      : `webapps ${[...request.webAppIds].sort((a, b) => a - b).join(",")}`;
  return `${prefix ?? ""}qualys-connector ${target} ${now.toISOString().slice(0, 10)}`;
}

const REPORT_TYPES_DEFAULT: readonly PulledReportType[] = ["WAS_WEBAPP_REPORT"];

/** Pull the saved reports of the window (and, with `create`, a new one) into the store. */
export async function pullReports(
  client: QualysClient,
  store: Store,
  options: PullReportsOptions,
): Promise<PullReportsResult> {
  const now = options.now ?? Date.now;
  const subscriptionId = await store.subscription(options.subscription);
  const emit = options.progress ?? (() => undefined);
  // A report that cannot be made (or is not ready in time) fails the pull's outcome, not the saved reports' pull.
  let created: CreatedReport | undefined;
  let createError: CreatedOutcome | undefined;
  if (options.create) {
    const state: Partial<CreatedReport> = {};
    try {
      created = await createReport(client, options, now, emit, state);
    } catch (error) {
      createError = {
        reportId: state.reportId,
        reused: state.reused ?? false,
        status: state.status,
        deleted: false,
        error: redact(error instanceof Error ? error.message : String(error)),
      };
    }
  }

  const matching = await searchReports(client, options);
  // The store remembers the report ids it imported: those are not downloaded again.
  const imported = new Set<number>();
  for (const row of await store.reportImports(subscriptionId))
    if (row.reportId !== undefined) imported.add(row.reportId);
  const skipped = matching.filter((r) => imported.has(r.id)).map((r) => r.id);
  emit({
    kind: "searched",
    found: matching.length,
    matching: matching.length,
    alreadyImported: skipped.length,
  });
  const pulled: PulledOutcome[] = [];
  for (const report of matching) {
    if (imported.has(report.id)) continue;
    if (options.signal?.aborted) break;
    emit({ kind: "report-start", report });
    const outcome = await pullOne(client, store, subscriptionId, report, options, emit);
    pulled.push(outcome);
    emit({ kind: "report-end", pulled: outcome });
  }

  let createdResult: CreatedOutcome | undefined = createError;
  if (created) {
    // Deleted once it is in the store (or when Qualys could not make it): it was made for this pull alone. An
    // interrupted run leaves it for the next run to find.
    const done =
      !options.signal?.aborted &&
      (created.status === "ERROR" ||
        imported.has(created.reportId) ||
        pulled.some((p) => p.report.id === created.reportId && p.outcome !== "failed"));
    if (done) {
      await client.was.report.delete(created.reportId);
      emit({ kind: "deleted", reportId: created.reportId });
    }
    createdResult = {
      reportId: created.reportId,
      reused: created.reused,
      status: created.status,
      deleted: done,
      error: created.status === "ERROR" ? `report ${created.reportId} ended in ERROR` : undefined,
    };
  }
  return { subscriptionId, matching, skipped, pulled, created: createdResult };
}

/** The saved reports of the wanted types, COMPLETE, in XML, created within the window, whose title has the prefix. */
async function searchReports(client: QualysClient, options: PullReportsOptions): Promise<PulledReport[]> {
  const types = options.types ?? REPORT_TYPES_DEFAULT;
  const out: PulledReport[] = [];
  for (const type of types) {
    const criteria: ReportCriteria = {
      type,
      status: "COMPLETE",
      format: "XML",
      createdAfter: options.createdSince,
      // No "starts with" operator: CONTAINS narrows the search, the prefix is checked below.
      ...(options.titlePrefix ? { nameContains: options.titlePrefix } : {}),
    };
    for await (const found of client.was.report.search(criteria)) {
      const report = summaryOf(found);
      // The criteria again, here: a server that ignores one of them must not widen the pull.
      if (report.type !== type || report.status !== "COMPLETE" || report.format !== "XML") continue;
      if (
        report.creationDate === undefined ||
        Date.parse(report.creationDate) < Date.parse(options.createdSince)
      )
        continue;
      if (options.titlePrefix && !report.name.startsWith(options.titlePrefix)) continue;
      out.push(report);
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

function summaryOf(found: ReportSummary): PulledReport {
  return {
    id: found.id,
    name: found.name,
    type: found.type,
    format: found.format,
    status: found.status,
    creationDate: found.creationDate,
  };
}

/** Download one report and import it streamed; any failure is this report's alone. */
async function pullOne(
  client: QualysClient,
  store: Store,
  subscriptionId: number,
  report: PulledReport,
  options: PullReportsOptions,
  emit: (event: PullProgress) => void,
): Promise<PulledOutcome> {
  let download: ReportFileStream | undefined;
  try {
    download = await client.was.report.downloadStream(report.id, {
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let records = 0;
    let bytes = 0;
    const items = readReport(
      { stream: download.body, name: download.fileName ?? `report-${report.id}.xml` },
      {
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.tempDir ? { tempDir: options.tempDir } : {}),
        reportId: report.id,
        onProgress: (read: number) => {
          bytes = read;
          emit({ kind: "report-bytes", report, bytes, records });
        },
      },
    );
    let read: ReportCounts | undefined;
    async function* counted() {
      for await (const item of items) {
        if (item.type === "end") read = item.counts;
        else {
          records += 1;
          emit({ kind: "report-bytes", report, bytes, records });
        }
        yield item;
      }
    }
    const result = await importReport(store, counted(), {
      subscriptionId,
      reportId: report.id,
      ...(options.now ? { now: options.now } : {}),
      ...(options.label === undefined ? {} : { label: options.label }),
      ...(options.autoClose === undefined ? {} : { autoClose: options.autoClose }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { report, outcome: result.outcome, result, read };
  } catch (error) {
    // A body left unread holds its connection: close it.
    download?.cancel();
    return {
      report,
      outcome: "failed",
      error: redact(error instanceof Error ? error.message : String(error)),
    };
  }
}

interface CreatedReport {
  reportId: number;
  name: string;
  reused: boolean;
  status: string;
}

/**
 * Find this run's report by its name, else create it; then wait until it is COMPLETE or ERROR. Reports the
 * search shows in ERROR are not reused (a new one is created).
 */
async function createReport(
  client: QualysClient,
  options: PullReportsOptions,
  now: () => number,
  emit: (event: PullProgress) => void,
  /** Filled as the work goes, so a failure can say which report it was about. */
  state: Partial<CreatedReport>,
): Promise<CreatedReport> {
  const request = options.create as CreateReportRequest;
  const name = createdReportName(options.titlePrefix, request, new Date(now()));
  let existing: ReportSummary | undefined;
  for await (const found of client.was.report.search({ name, type: "WAS_WEBAPP_REPORT" }))
    if (found.name === name && found.status !== "ERROR" && (existing === undefined || found.id > existing.id))
      existing = found;
  let reportId: number;
  let reused = false;
  if (existing) {
    reportId = existing.id;
    reused = true;
  } else {
    const webAppIds = "tag" in request ? await webAppsTagged(client, request.tag) : [...request.webAppIds];
    if (webAppIds.length === 0)
      throw new Error(
        "tag" in request ? `no web app has the tag "${request.tag}"` : "no web app ids to report on",
      );
    reportId = await client.was.report.create({
      name,
      type: "WAS_WEBAPP_REPORT",
      format: "XML",
      targetIds: webAppIds,
    });
  }
  Object.assign(state, { reportId, name, reused });
  emit({ kind: "create", reportId, name, reused });
  const interval = options.pollIntervalMs ?? 5000;
  const deadline = now() + (options.createTimeoutMs ?? 30 * 60_000);
  let status = await client.was.report.status(reportId);
  state.status = status;
  while (status !== "COMPLETE" && status !== "ERROR") {
    if (options.signal?.aborted) break;
    if (now() > deadline)
      throw new Error(`report ${reportId} was still ${status || "not ready"} when the wait ended`);
    await sleep(interval, options.signal);
    status = await client.was.report.status(reportId);
    state.status = status;
    emit({ kind: "create-status", reportId, status });
  }
  return { reportId, name, reused, status };
}

/** The ids of the web apps that carry a tag (search by `tags.name`, docs/qualys-api.md 3.7). */
async function webAppsTagged(client: QualysClient, tag: string): Promise<number[]> {
  const ids: number[] = [];
  for await (const app of client.was.webApps.list({
    criteria: [{ field: "tags.name", operator: "EQUALS", value: tag }],
  }))
    ids.push(app.id);
  return ids;
}
