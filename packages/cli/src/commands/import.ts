/**
 * `qualys-connector import FILE...`: Qualys WAS report files (WAS_WEBAPP_REPORT, WAS_SCAN_REPORT, the gate's
 * result.json; plain, .gz or .zip; `-` for standard input) into the same store as `sync`, each file in its own
 * transaction (docs/import.md). A bad file is reported with its line and column and leaves nothing behind; the
 * other files are still imported, and the exit code is the worst outcome.
 */

import { statSync } from "node:fs";
import { logSafe, logSafeJson } from "@qualys-connector/gate";
import type { ReportCounts, ReportItem, SeverityLabelMap } from "@qualys-connector/model";
import { ReportFormatError, readReport } from "@qualys-connector/reports";
import type { Store } from "@qualys-connector/store";
import { type ImportReportResult, importReport } from "@qualys-connector/sync";
import type { Command } from "commander";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";
import { logJsonLine, logLine } from "../log.js";
import { type Column, render } from "../output.js";
import { readSeverityMap } from "../parse/severity-map.js";
import { redactOutput } from "../settings.js";
import { abortOnSignals } from "../signals.js";
import { importSubscriptionId, type SubscriptionFlags } from "../subscription.js";
import { DEFAULT_DB, openStoreFrom } from "./sync.js";

interface ImportFlags extends SubscriptionFlags {
  db?: string;
  label?: string;
  autoClose?: boolean;
  severityMap?: string;
  json?: boolean;
}

/** One file's (or pulled report's) line of the final table. */
export interface ImportSummary {
  file: string;
  kind: string | undefined;
  outcome: "imported" | "already imported" | "failed" | "interrupted";
  /**
   * Why it failed, without the file name: `line 12, column 4: reason` for a bad file; for an interrupted file,
   * what the interruption did to it.
   */
  reason: string | undefined;
  /** The error line of a failure: `file:line:column: reason` for a bad file, `file: reason` otherwise. */
  error: string | undefined;
  applications: number;
  /** Findings read from the file, by type. */
  vulnerabilities: number;
  sensitiveContent: number;
  informationGathered: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Findings auto-close set to FIXED. */
  closed: number;
}

/**
 * The summary line of one import: what the file held (`read`, the reader's counts) and what the import did to
 * the stored findings (added, updated, unchanged, closed).
 */
export function summaryOf(
  file: string,
  result: ImportReportResult,
  read: ReportCounts | undefined,
): ImportSummary {
  const findings = read?.findings ?? {};
  return {
    file,
    kind: result.provenance.kind,
    outcome: result.outcome === "already-imported" ? "already imported" : "imported",
    reason: undefined,
    error: undefined,
    applications: read?.applications ?? 0,
    vulnerabilities: findings.VULNERABILITY ?? 0,
    sensitiveContent: findings.SENSITIVE_CONTENT ?? 0,
    informationGathered: findings.INFORMATION_GATHERED ?? 0,
    added: result.counts.findings.added,
    updated: result.counts.findings.updated,
    unchanged: result.counts.findings.unchanged,
    closed: result.counts.closed,
  };
}

/** The summary line of a file that failed, from its error. */
export function failedSummary(file: string, error: unknown): ImportSummary {
  const { reason, line } = failure(file, error);
  return { ...emptySummary(file, "failed", reason), error: line };
}

/**
 * The summary line of a file a signal stopped (`signal`: its name): rolled back when it was being imported, not
 * started when it came after.
 */
export function interruptedSummary(file: string, signal: unknown, started: boolean): ImportSummary {
  const reason = `${started ? "rolled back" : "not started"} (${typeof signal === "string" ? signal : "aborted"})`;
  return { ...emptySummary(file, "interrupted", reason), error: `${file}: interrupted: ${reason}` };
}

function emptySummary(file: string, outcome: ImportSummary["outcome"], reason: string): ImportSummary {
  return {
    file,
    kind: undefined,
    outcome,
    reason,
    error: undefined,
    applications: 0,
    vulnerabilities: 0,
    sensitiveContent: 0,
    informationGathered: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    closed: 0,
  };
}

/**
 * Why reading or importing failed: the reason for the table, and the error line, which names a bad file's line
 * and column as `file:line:column: reason` (the form editors and CI annotations read).
 */
function failure(file: string, error: unknown): { reason: string; line: string } {
  if (error instanceof ReportFormatError)
    return {
      reason: `line ${error.line}, column ${error.column}: ${error.reason}`,
      line: `${file}:${error.line}:${error.column}: ${error.reason}`,
    };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file"
      : code === "EISDIR"
        ? "is a directory"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : error instanceof Error
            ? error.message
            : String(error);
  return { reason, line: `${file}: ${reason}` };
}

export const SUMMARY_COLUMNS: Column<ImportSummary>[] = [
  { header: "FILE", key: "file", value: (s) => s.file },
  { header: "KIND", key: "kind", value: (s) => s.kind },
  {
    header: "OUTCOME",
    key: "outcome",
    value: (s) =>
      s.outcome === "failed" || s.outcome === "interrupted" ? `${s.outcome}: ${s.reason ?? ""}` : s.outcome,
  },
  { header: "APPS", key: "applications", value: (s) => s.applications },
  { header: "VULNS", key: "vulnerabilities", value: (s) => s.vulnerabilities },
  { header: "SENSITIVE", key: "sensitiveContent", value: (s) => s.sensitiveContent },
  { header: "INFO", key: "informationGathered", value: (s) => s.informationGathered },
  { header: "ADDED", key: "added", value: (s) => s.added },
  { header: "UPDATED", key: "updated", value: (s) => s.updated },
  { header: "UNCHANGED", key: "unchanged", value: (s) => s.unchanged },
  { header: "CLOSED", key: "closed", value: (s) => s.closed },
];

/** The final table (or, with --json, one JSON document) on stdout. */
export function printSummaries(summaries: readonly ImportSummary[], json: boolean): void {
  if (json) process.stdout.write(`${logSafeJson(redactOutput(JSON.stringify(summaries)))}\n`);
  else
    process.stdout.write(
      redactOutput(render(summaries, SUMMARY_COLUMNS, "table", process.stdout.columns ?? 160)),
    );
}

/**
 * Progress of one file: on a terminal one line redrawn in place (bytes read, of how many, records/s); elsewhere
 * a plain line (or JSON line) at most every 5 seconds, so a CI log stays short.
 */
export function progressReporter(json: boolean): {
  start(file: string, size: number | undefined): void;
  update(bytes: number, records: number): void;
  end(): void;
} {
  const tty = process.stderr.isTTY === true && !json;
  let file = "";
  let size: number | undefined;
  let started = 0;
  let last = 0;
  // Bytes first (a scan report's findings are completed only after its glossary, at the end of the file), then
  // records as they are written.
  const line = (bytes: number, records: number) => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const of = size === undefined ? "" : ` of ${megabytes(size)}`;
    const read = `${megabytes(bytes)}${of} (${megabytes(bytes / seconds)}/s)`;
    return records === 0
      ? `${file}: ${read}`
      : `${file}: ${read}, ${records.toLocaleString("en-US")} records (${Math.round(records / seconds).toLocaleString("en-US")} records/s)`;
  };
  return {
    start(name, bytes) {
      file = name;
      size = bytes;
      started = Date.now();
      last = started;
      if (json) logJsonLine({ kind: "start", file, bytes: size ?? null });
      else if (!tty) logLine(`${file}: importing${size === undefined ? "" : ` (${megabytes(size)})`}`);
    },
    update(bytes, records) {
      const now = Date.now();
      if (now - last < (tty ? 100 : 5000)) return;
      last = now;
      if (json) logJsonLine({ kind: "progress", file, bytes, records });
      // On a terminal the line is redrawn with our own CR and erase-line sequence around the escaped text.
      else if (tty) process.stderr.write(`\r${logSafe(redactOutput(line(bytes, records)))}\u001b[K`);
      else logLine(line(bytes, records));
    },
    end() {
      if (tty) process.stderr.write("\r\u001b[K");
    },
  };
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The reader's items passed on to the importer, counted for the progress line; the file's own counts (from its
 * `end` item) are kept for the summary.
 */
export class CountedItems {
  records = 0;
  read: ReportCounts | undefined;

  constructor(
    private readonly items: AsyncIterable<ReportItem>,
    private readonly onRecord: (records: number) => void = () => undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<ReportItem> {
    for await (const item of this.items) {
      if (item.type === "end") this.read = item.counts;
      else {
        this.records += 1;
        this.onRecord(this.records);
      }
      yield item;
    }
  }
}

interface FileImport {
  store: Store;
  subscriptionId: number;
  labels: SeverityLabelMap | undefined;
  label: string | undefined;
  autoClose: boolean;
  signal: AbortSignal;
  progress: ReturnType<typeof progressReporter>;
}

/** Import one file (or standard input) in one transaction; never throws: a failure is the file's outcome. */
async function importFile(file: string, run: FileImport): Promise<ImportSummary> {
  const stdin = file === "-";
  const shown = stdin ? "-" : file;
  let size: number | undefined;
  if (!stdin) {
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) return failedSummary(shown, Object.assign(new Error(), { code: "EISDIR" }));
      size = stat.size;
    } catch (error) {
      return failedSummary(shown, error);
    }
  }
  run.progress.start(shown, size);
  let bytes = 0;
  try {
    const items = new CountedItems(
      readReport(stdin ? { stream: process.stdin, name: "-" } : { path: file }, {
        ...(run.labels ? { labels: run.labels } : {}),
        signal: run.signal,
        onProgress: (read: number) => {
          bytes = read;
          run.progress.update(bytes, items.records);
        },
      }),
      (records) => run.progress.update(bytes, records),
    );
    const result = await importReport(run.store, items, {
      subscriptionId: run.subscriptionId,
      ...(run.label === undefined ? {} : { label: run.label }),
      autoClose: run.autoClose,
      signal: run.signal,
    });
    return summaryOf(shown, result, items.read);
  } catch (error) {
    if (run.signal.aborted) return interruptedSummary(shown, run.signal.reason, true);
    return failedSummary(shown, error);
  } finally {
    run.progress.end();
  }
}

async function importCommand(files: string[], flags: ImportFlags): Promise<void> {
  if (files.filter((f) => f === "-").length > 1)
    throw new UsageError("-: standard input can be read once; name it once");
  if (flags.label !== undefined && flags.label.trim() === "")
    throw new UsageError("--label: give a name (it is stored on the imported web apps)");
  const labels = readSeverityMap(flags.severityMap);
  const json = flags.json === true;
  const store = await openStoreFrom(flags.db);
  const stop = abortOnSignals((signal) =>
    logLine(`${signal} received: the file being imported is rolled back; files done so far stay imported`),
  );
  const summaries: ImportSummary[] = [];
  try {
    const subscription = await importSubscriptionId(store, flags, process.env);
    const run: FileImport = {
      store,
      subscriptionId: subscription.id,
      labels,
      label: flags.label?.trim(),
      autoClose: flags.autoClose === true,
      signal: stop.signal,
      progress: progressReporter(json),
    };
    for (const file of files) {
      if (stop.signal.aborted) {
        summaries.push(interruptedSummary(file, stop.signal.reason, false));
        continue;
      }
      const summary = await importFile(file, run);
      summaries.push(summary);
      if (json) logJsonLine({ kind: "file", summary });
      else if (summary.outcome === "failed") logLine(`error: ${summary.error ?? summary.file}`);
      else if (summary.outcome === "interrupted") logLine(summary.error ?? summary.file);
      else
        logLine(
          `${summary.file}: ${summary.outcome} (${summary.kind ?? "report"}): ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged${summary.closed ? `, ${summary.closed} closed` : ""}`,
        );
    }
    printSummaries(summaries, json);
    if (!json)
      logLine(
        `store: ${store.location} (subscription ${subscription.id}: ${subscription.key.username} at ${subscription.key.apiUrl})`,
      );
  } finally {
    stop.release();
    await store.close();
  }
  // The worst outcome decides: any file that failed or was interrupted makes the run fail (3); the others stay
  // imported.
  if (summaries.some((s) => s.outcome === "failed" || s.outcome === "interrupted"))
    throw new CommandExit(EXIT.error);
}

export function registerImportCommand(program: Command): Command {
  return program
    .command("import")
    .description(
      "Import Qualys WAS report files (WAS_WEBAPP_REPORT, WAS_SCAN_REPORT, a gate's result.json; plain, .gz or .zip; - for standard input) into the sync's store, one transaction per file.",
    )
    .argument("<file...>", "report files; - reads standard input")
    .option("--db <location>", `sqlite:PATH or postgres://… (env QUALYS_DB; default ${DEFAULT_DB})`)
    .option("--label <name>", "a label stored on the imported web apps (e.g. a network or a team)")
    .option(
      "--auto-close",
      "after a newer report covering a web app, set its open findings the report no longer lists to FIXED",
    )
    .option(
      "--severity-map <file>",
      "a YAML or JSON file of severity labels by finding type (VULNERABILITY, POTENTIAL, SENSITIVE_CONTENT, INFORMATION_GATHERED) and Qualys severity 1-5, laid over the default table",
    )
    .option("--json", "progress as JSON lines on stderr, the summary as JSON on stdout")
    .option(
      "--config <file>",
      "a connection settings file naming the subscription (apiUrl or platform, username)",
    )
    .option("--api-url <url>", "the subscription the rows belong to: its API URL (env QUALYS_API_URL)")
    .option("--platform <id>", "or its platform (env QUALYS_PLATFORM)")
    .option("--username <name>", "and its user (env QUALYS_USERNAME)")
    .action((files: string[], flags: ImportFlags) => importCommand(files, flags));
}
