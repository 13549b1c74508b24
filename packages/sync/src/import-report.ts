/**
 * `importReport`: the records a report reader yields (`ReportItem`s, `@qualys-connector/model`) written into a
 * store like a sync's, one transaction per file: the rows, the run (stream `import`) and the `report_imports` row
 * commit together, or nothing of the file does. A file imported before is recognised by its SHA-256 (or its
 * Qualys report id) and changes nothing. Findings merge with the stored ones (the newer detection wins; a
 * finding without a uniqueId matches by fingerprint), and `autoClose` fixes the covered web apps' findings the
 * report no longer shows.
 */

import { PAGE_SIZE } from "@qualys-connector/client";
import type {
  ApplicationRecord,
  DefinitionRecord,
  FindingRecord,
  ReportCounts,
  ReportItem,
  ReportProvenance,
} from "@qualys-connector/model";
import type { Store, UpsertCounts, UpsertOutcome, WriteContext } from "@qualys-connector/store";
import { outcomeTally } from "./outcome-tally.js";
import { findingsStream, webAppsStream } from "./streams.js";
import { DEFAULT_LOCK_WAIT_MS } from "./sync.js";

/** The `stream` of an import's row in `sync_runs`. */
export const IMPORT_STREAM = "import";
/** The `source` of every row an import writes; which report it was is in `report_imports`. */
export const REPORT_SOURCE = "report";

export interface ImportReportOptions {
  subscriptionId: number;
  /** Milliseconds since the epoch; the clock of the import's times. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** A label added to every web app the report holds (the set of labels a web app has only grows). */
  label?: string | undefined;
  /**
   * Close the open findings (VULNERABILITY, SENSITIVE_CONTENT) of each web app the report covers that the report
   * no longer shows, unless an import recorded earlier covers that web app with a later report.
   */
  autoClose?: boolean | undefined;
  /** The Qualys id of a pulled report: recorded, and a report id imported before is not imported again. */
  reportId?: number | undefined;
  /** Stops the import: nothing of the file is stored, and the abort reason is thrown. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Records per write (each kind of record is written in batches of this many). Default: the API page size. */
  batchSize?: number | undefined;
  /** How long to wait for a sync or import of the same subscription that holds the sync lock. Default 5 min. */
  lockWaitMs?: number | undefined;
}

/** Told after each batch written (not yet committed: the file commits as a whole). */
export interface ImportProgress {
  /** Records written so far. */
  records: number;
  counts: ImportCounts;
}

export interface ImportCounts {
  webapps: UpsertCounts;
  findings: UpsertCounts;
  definitions: UpsertCounts;
  /** Findings auto-close fixed. */
  closed: number;
}

/** A covered web app whose findings auto-close left open. */
export interface AutoCloseSkip {
  webAppId: number;
  reason: "older report: not closed";
  /** The generation time of the later report, imported earlier, that covers the web app. */
  newerReportGeneratedAt: string;
}

export interface ImportReportResult {
  /** `already-imported`: this subscription holds the file (same SHA-256) or the report id; nothing changed. */
  outcome: "imported" | "already-imported";
  /** The `report_imports` row: this import's, or the earlier one's. */
  importId: number;
  /** When that import committed its rows. */
  importedAt: string;
  /** The run (`sync_runs`, stream `import`) that wrote the rows; undefined when already imported. */
  runId: number | undefined;
  /** What this import did (all zero when already imported). */
  counts: ImportCounts;
  /** The report's provenance, as the reader gave it (with `reportId` from the options when given). */
  provenance: ReportProvenance;
  /** Covered web apps auto-close skipped. */
  autoCloseSkipped: AutoCloseSkip[];
}

/** Thrown inside the transaction to roll back a file this subscription already holds. */
class AlreadyImported extends Error {
  constructor(readonly result: ImportReportResult) {
    super("already imported");
  }
}

const zero = (): UpsertCounts => ({ added: 0, updated: 0, unchanged: 0 });

/** True when both are times and `a` is after `b` (compared as times: `…00Z` and `…00.000Z` are equal). */
function isAfter(a: string | undefined, b: string | undefined): boolean {
  const x = a === undefined ? Number.NaN : Date.parse(a);
  const y = b === undefined ? Number.NaN : Date.parse(b);
  return !Number.isNaN(x) && !Number.isNaN(y) && x > y;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("the import was aborted");
}

/**
 * Import one report's items into `store`, in one transaction, holding the subscription's sync lock. An error
 * the items throw (a bad file), an abort, or any write failure rolls back everything from the file and is
 * thrown; the store is as it was.
 */
export async function importReport(
  store: Store,
  items: AsyncIterable<ReportItem>,
  options: ImportReportOptions,
): Promise<ImportReportResult> {
  const { subscriptionId, signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const lock = await store
    .lockSync(subscriptionId, { waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, signal })
    .catch((error: unknown) => {
      // Aborted while waiting for another sync: the abort is the reason, not the lock.
      throw signal?.aborted ? abortReason(signal) : error;
    });
  try {
    return await store.transaction((tx) => importInTransaction(tx, items, options));
  } catch (error) {
    if (error instanceof AlreadyImported) return error.result;
    throw error;
  } finally {
    await lock.release();
  }
}

async function importInTransaction(
  tx: Store,
  items: AsyncIterable<ReportItem>,
  options: ImportReportOptions,
): Promise<ImportReportResult> {
  const { subscriptionId, signal } = options;
  const clock = options.now ?? Date.now;
  const iso = () => new Date(clock()).toISOString();
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? PAGE_SIZE.default));
  const runId = await tx.startRun(subscriptionId, IMPORT_STREAM, "incremental", iso());
  const counts: ImportCounts = { webapps: zero(), findings: zero(), definitions: zero(), closed: 0 };
  const tallies = {
    webapps: outcomeTally(counts.webapps),
    findings: outcomeTally(counts.findings),
    definitions: outcomeTally(counts.definitions),
  };
  /** Stored uids of the findings this import wrote or matched: auto-close leaves them open. */
  const present = new Set<string>();
  let written = 0;

  const context = (
    tally: (uid: string, outcome: UpsertOutcome) => void,
    extra: Partial<WriteContext> = {},
  ): WriteContext => ({
    subscriptionId,
    source: REPORT_SOURCE,
    now: iso(),
    runId,
    onRecord: tally,
    ...extra,
  });
  const labels = options.label !== undefined && options.label !== "" ? [options.label] : undefined;
  const applications: ApplicationRecord[] = [];
  const definitions: DefinitionRecord[] = [];
  /** Findings by WAS uniqueId, and findings whose uid is a fingerprint (matched by fingerprint). */
  const byUniqueId: FindingRecord[] = [];
  const byFingerprint: FindingRecord[] = [];
  const onFinding = (uid: string, outcome: UpsertOutcome) => {
    // Only auto-close needs the uids this file wrote (one set entry per finding); without it memory stays flat.
    if (options.autoClose) present.add(uid);
    tallies.findings(uid, outcome);
  };

  const flush = async (which: "applications" | "definitions" | "unique" | "fingerprint") => {
    const take = <T>(buffer: T[]): T[] => buffer.splice(0, buffer.length);
    let records = 0;
    if (which === "applications" && applications.length > 0) {
      const batch = take(applications);
      records = batch.length;
      await webAppsStream.write(tx, batch, context(tallies.webapps, { labels }));
    } else if (which === "definitions" && definitions.length > 0) {
      const batch = take(definitions);
      records = batch.length;
      await tx.upsertDefinitions(batch, context(tallies.definitions));
    } else if (which === "unique" && byUniqueId.length > 0) {
      const batch = take(byUniqueId);
      records = batch.length;
      await findingsStream.write(tx, batch, context(onFinding, { merge: "newer-detection" }));
    } else if (which === "fingerprint" && byFingerprint.length > 0) {
      const batch = take(byFingerprint);
      records = batch.length;
      await findingsStream.write(
        tx,
        batch,
        context(onFinding, { merge: "newer-detection", matchByFingerprint: true }),
      );
    }
    if (records === 0) return;
    written += records;
    options.onProgress?.({
      records: written,
      counts: {
        webapps: { ...counts.webapps },
        findings: { ...counts.findings },
        definitions: { ...counts.definitions },
        closed: counts.closed,
      },
    });
  };

  let end: { provenance: ReportProvenance; counts: ReportCounts } | undefined;
  for await (const item of items) {
    if (signal?.aborted) throw abortReason(signal);
    if (item.type === "application") {
      applications.push(item.record);
      if (applications.length >= batchSize) await flush("applications");
    } else if (item.type === "definition") {
      definitions.push(item.record);
      if (definitions.length >= batchSize) await flush("definitions");
    } else if (item.type === "finding") {
      const buffer = item.uidIsUniqueId ? byUniqueId : byFingerprint;
      buffer.push(item.record);
      if (buffer.length >= batchSize) await flush(item.uidIsUniqueId ? "unique" : "fingerprint");
    } else {
      end = { provenance: item.provenance, counts: item.counts };
      break;
    }
  }
  if (signal?.aborted) throw abortReason(signal);
  if (!end)
    throw new Error("the report's records ended without its provenance: the file was not read to its end");
  // Web apps first, as a sync writes them.
  for (const which of ["applications", "definitions", "unique", "fingerprint"] as const) await flush(which);

  const provenance: ReportProvenance = {
    ...end.provenance,
    reportId: options.reportId ?? end.provenance.reportId,
  };
  const earlier =
    (provenance.reportId === undefined
      ? undefined
      : await tx.findReportImport(subscriptionId, { reportId: provenance.reportId })) ??
    (await tx.findReportImport(subscriptionId, { sha256: provenance.sha256 }));
  if (earlier)
    throw new AlreadyImported({
      outcome: "already-imported",
      importId: earlier.id,
      importedAt: earlier.importedAt,
      runId: undefined,
      counts: { webapps: zero(), findings: zero(), definitions: zero(), closed: 0 },
      provenance,
      autoCloseSkipped: [],
    });

  const importedAt = iso();
  const autoCloseSkipped: AutoCloseSkip[] = [];
  if (options.autoClose) {
    // A report without a generation time counts as generated now, the time it closes findings at.
    const reportTime = provenance.generatedAt ?? importedAt;
    for (const webAppId of [...new Set(provenance.webAppIds)]) {
      if (signal?.aborted) throw abortReason(signal);
      const latest = await tx.latestReportGeneratedAt(subscriptionId, webAppId);
      if (latest !== undefined && isAfter(latest, reportTime)) {
        autoCloseSkipped.push({
          webAppId,
          reason: "older report: not closed",
          newerReportGeneratedAt: latest,
        });
        continue;
      }
      const closed = await tx.closeAbsentFindings({
        subscriptionId,
        webAppId,
        present,
        detectedUntil: reportTime,
        fixedDate: reportTime,
        now: importedAt,
        runId,
      });
      counts.closed += closed.length;
    }
  }
  if (signal?.aborted) throw abortReason(signal);

  const importId = await tx.recordReportImport({
    subscriptionId,
    runId,
    provenance,
    counts: end.counts,
    importedAt,
  });
  const total = (key: keyof UpsertCounts) =>
    counts.webapps[key] + counts.findings[key] + counts.definitions[key];
  await tx.finishRun(
    runId,
    {
      status: "succeeded",
      added: total("added"),
      updated: total("updated"),
      unchanged: total("unchanged"),
      vanished: 0,
      apiCalls: 0,
      retries: 0,
      errors: [],
    },
    iso(),
  );
  return { outcome: "imported", importId, importedAt, runId, counts, provenance, autoCloseSkipped };
}
