/**
 * `qualys-connector sync`: WAS web apps, findings and vulnerability definitions into a store (after Brinqa's
 * Qualys WAS connector: its settings and operation options), incrementally and resumably; and `export`, for
 * people who want files.
 */

import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { createQualysClient } from "@qualys-connector/client";
import { logSafe, logSafeJson } from "@qualys-connector/gate";
import { FINDING_STATUSES, isSeverity } from "@qualys-connector/model";
import {
  type OpenStoreOptions,
  openStore,
  STORED_OBJECTS,
  type Store,
  type StoredObject,
  StoreLocationError,
} from "@qualys-connector/store";
import { runSync, type StreamReport, type SyncFilters, type SyncProgress } from "@qualys-connector/sync";
import type { Command } from "commander";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";
import { logJsonLine, logLine } from "../log.js";
import { flagOf } from "../option-flags.js";
import { type Column, csvCell, render } from "../output.js";
import { parseDuration } from "../parse/duration.js";
import { readSeverityMap } from "../parse/severity-map.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings, redactOutput } from "../settings.js";
import { abortOnSignals } from "../signals.js";
import { apiSubscription } from "../subscription.js";

/** The embedded default: a SQLite file in the working directory. */
export const DEFAULT_DB = "sqlite:./qualys.db";

interface SyncFlags extends ConnectionFlags {
  db?: string;
  objects: string;
  full?: boolean;
  updatedSince?: string;
  lastDetectedSince?: string;
  severity?: string;
  status?: string;
  ids?: string;
  webappIds?: string;
  overlap: string;
  logFormat: string;
  severityMap?: string;
}

/** A UTC date or date-time, as Brinqa's connector examples give them, in Qualys' `YYYY-MM-DDTHH:MM:SSZ` form. */
export function parseUtcDate(value: string, flag: string): string {
  const text = value.trim();
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z)?$/.exec(text);
  const day = match?.[1];
  const time = match?.[2] ?? "00:00:00";
  const iso = `${day}T${time.length === 5 ? `${time}:00` : time}Z`;
  if (!day || Number.isNaN(Date.parse(iso)) || new Date(iso).toISOString().slice(0, 10) !== day)
    throw new UsageError(`${flag}: "${value}" is not a UTC date such as 2023-07-01 or 2023-07-01T00:00:00Z`);
  return iso;
}

function intList(
  value: string | undefined,
  flag: string,
  check?: (n: number) => boolean,
): number[] | undefined {
  if (value === undefined) return undefined;
  const problems: string[] = [];
  const out: number[] = [];
  value.split(",").forEach((raw, index) => {
    const entry = raw.trim();
    if (!/^\d+$/.test(entry) || (check && !check(Number(entry))))
      problems.push(entry === "" ? `entry ${index + 1} is empty` : `"${entry}" is not valid`);
    else out.push(Number(entry));
  });
  if (problems.length > 0) throw new UsageError(`${flag}: ${problems.join("; ")}`);
  return out;
}

function filtersOf(flags: SyncFlags): SyncFilters {
  const status = flags.status?.split(",").map((s) => s.trim().toUpperCase());
  const badStatus = status?.filter((s) => !(FINDING_STATUSES as readonly string[]).includes(s));
  if (badStatus && badStatus.length > 0)
    throw new UsageError(
      `--status: ${badStatus.map((s) => `"${s}"`).join(", ")} not one of ${FINDING_STATUSES.join(", ")}`,
    );
  return {
    updatedSince: flags.updatedSince ? parseUtcDate(flags.updatedSince, "--updated-since") : undefined,
    lastDetectedSince: flags.lastDetectedSince
      ? parseUtcDate(flags.lastDetectedSince, "--last-detected-since")
      : undefined,
    severity: intList(flags.severity, "--severity (1-5)", isSeverity),
    status,
    ids: intList(flags.ids, "--ids"),
    webAppIds: intList(flags.webappIds, "--webapp-ids"),
  };
}

function objectsOf(text: string): StoredObject[] {
  const wanted = text.split(",").map((o) => o.trim());
  const bad = wanted.filter((o) => !(STORED_OBJECTS as readonly string[]).includes(o));
  if (bad.length > 0 || wanted.length === 0)
    throw new UsageError(
      `--objects: ${bad.map((o) => `"${o}"`).join(", ") || "empty"}; use ${STORED_OBJECTS.join(",")}`,
    );
  return wanted as StoredObject[];
}

/** The store named by --db, QUALYS_DB or the default, migrated. Errors name the location (never a password). */
export async function openStoreFrom(db: string | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  const location = db ?? process.env.QUALYS_DB ?? DEFAULT_DB;
  let store: Store;
  try {
    store = await openStore(location, options);
  } catch (error) {
    if (error instanceof StoreLocationError) throw new UsageError(error.messageWith(flagOf));
    throw error;
  }
  try {
    await store.migrate();
  } catch (error) {
    // A damaged file can pass the open and fail here: the problem is still the database --db names.
    await store.close().catch(() => undefined);
    throw new UsageError(`--db ${store.location}: ${(error as Error).message}`);
  }
  return store;
}

/** A terminal progress bar: `[#########...........]  45%`. */
function progressBar(done: number, expected: number, width = 24): string {
  const share = expected > 0 ? Math.min(1, done / expected) : 0;
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

/**
 * Progress: a line per stream start and end, and per page every 10 pages; on a terminal, one line per stream that
 * is redrawn, with a bar when the run counted its records (a first or full findings run).
 */
function progressPrinter(format: "text" | "json"): (event: SyncProgress) => void {
  const tty = process.stderr.isTTY === true && format === "text";
  let pages = 0;
  let expected: number | undefined;
  let started = Date.now();
  return (event) => {
    if (format === "json") {
      logJsonLine(event);
      return;
    }
    switch (event.kind) {
      case "stream-start": {
        pages = 0;
        expected = undefined;
        started = Date.now();
        const from =
          event.mode === "full"
            ? "everything"
            : event.since
              ? `changes since ${event.since}`
              : "everything (first run)";
        logLine(
          `${event.stream}: ${event.mode} sync of ${from}${event.resumed ? ", resuming an interrupted run" : ""}`,
        );
        return;
      }
      case "expected":
        expected = event.records;
        if (!tty) logLine(`${event.stream}: ${event.records.toLocaleString("en-US")} records to read`);
        return;
      case "page": {
        pages += 1;
        const count = `${event.total.toLocaleString("en-US")}${expected === undefined ? "" : ` of ${expected.toLocaleString("en-US")}`} records`;
        const rate = event.total / Math.max(0.001, (Date.now() - started) / 1000);
        const line = `${event.stream}: ${count}, ${event.apiCalls} API calls, ${Math.round(rate).toLocaleString("en-US")}/s`;
        // On a terminal the line is redrawn with our own CR and erase-line sequence around the escaped text.
        if (tty)
          process.stderr.write(
            `\r${expected === undefined ? "" : `${progressBar(event.total, expected)} `}${logSafe(line)}\u001b[K`,
          );
        else if (pages % 10 === 0) logLine(line);
        return;
      }
      case "stream-end": {
        const r = event.report;
        if (tty) process.stderr.write("\r\u001b[K");
        logLine(
          `${r.stream}: ${r.status}${r.error ? ` (${r.error})` : ""}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged${r.vanished ? `, ${r.vanished} vanished` : ""}, ${r.apiCalls} API calls`,
        );
        return;
      }
    }
  };
}

const REPORT_COLUMNS: Column<StreamReport>[] = [
  { header: "STREAM", key: "stream", value: (r) => r.stream },
  { header: "MODE", key: "mode", value: (r) => r.mode },
  { header: "STATUS", key: "status", value: (r) => r.status },
  { header: "ADDED", key: "added", value: (r) => r.added },
  { header: "UPDATED", key: "updated", value: (r) => r.updated },
  { header: "UNCHANGED", key: "unchanged", value: (r) => r.unchanged },
  { header: "VANISHED", key: "vanished", value: (r) => r.vanished },
  { header: "API CALLS", key: "apiCalls", value: (r) => r.apiCalls },
  { header: "RETRIES", key: "retries", value: (r) => r.retries },
  { header: "SECONDS", key: "seconds", value: (r) => (r.durationMs / 1000).toFixed(1) },
];

type Log = (kind: string, fields: Record<string, unknown>, text: string) => void;

const textLog: Log = (_kind, _fields, text) => logLine(text);
const jsonLog: Log = (kind, fields) => logJsonLine({ kind, ...fields });

async function syncCommand(flags: SyncFlags, log: Log): Promise<void> {
  const objects = objectsOf(flags.objects);
  const filters = filtersOf(flags);
  const overlapMs = parseDuration(flags.overlap, "--overlap", "m");
  if (flags.logFormat !== "text" && flags.logFormat !== "json")
    throw new UsageError(`--log-format: "${flags.logFormat}" must be text or json`);
  const labels = readSeverityMap(flags.severityMap);
  const settings = loadSettings(flags, process.env, () => readFileSync(0, "utf8"));
  for (const warning of settings.warnings) log("warning", { message: warning }, `warning: ${warning}`);
  // The client first: a bad --proxy or --ca-file is refused before the store is opened (or created).
  const client = createQualysClient({
    ...settings.client,
    // The client's warnings (an over-long name or URL it cut on the way in) join the sync's own log.
    log: (event) => {
      if (event.type === "warning") log("warning", { message: event.message }, `warning: ${event.message}`);
    },
  });
  const store = await openStoreFrom(flags.db);
  const stop = abortOnSignals((signal) =>
    log(
      "signal",
      { signal },
      `${signal} received: finishing the current page; the next run resumes from there`,
    ),
  );
  try {
    const report = await runSync(client, store, {
      subscription: apiSubscription(client.endpoints.api, settings.client.auth),
      labels,
      objects,
      full: flags.full ?? false,
      filters,
      pageSize: settings.client.pageSize ?? 100,
      concurrency: settings.client.concurrency ?? 2,
      overlapMs,
      signal: stop.signal,
      progress: progressPrinter(flags.logFormat),
    });
    if (flags.logFormat === "json") process.stdout.write(`${logSafeJson(JSON.stringify(report))}\n`);
    else process.stdout.write(render(report.streams, REPORT_COLUMNS, "table", process.stdout.columns ?? 120));
    const failed = report.streams.filter((s) => s.status !== "succeeded");
    if (failed.length > 0) {
      // One error line per stream: a stream's error may quote the server, so each line is escaped on its own.
      for (const s of failed) {
        const message =
          s.status === "interrupted"
            ? `${s.stream}: interrupted; the next run resumes from the last committed page`
            : `${s.stream}: ${s.error ?? "failed"}`;
        log("error", { message }, `error: ${message}`);
      }
      throw new CommandExit(EXIT.error);
    }
    log("store", { location: store.location }, `store: ${store.location}`);
  } finally {
    stop.release();
    await client.close().catch(() => undefined);
    await store.close();
  }
}

export function registerSyncCommands(program: Command): void {
  const sync = program
    .command("sync")
    .description(
      "Sync Qualys WAS web apps, findings and vulnerability definitions into SQLite or PostgreSQL, incrementally.",
    )
    .option("--db <location>", `sqlite:PATH or postgres://… (env QUALYS_DB; default ${DEFAULT_DB})`)
    .option("--objects <list>", "webapps,findings,definitions", "webapps,findings,definitions")
    .option(
      "--full",
      "re-read everything (cursors kept until it succeeds) and mark records that vanished from Qualys",
    )
    .option(
      "--updated-since <date>",
      "web apps updated since this UTC date (2023-07-01 or 2023-07-01T00:00:00Z)",
    )
    .option("--last-detected-since <date>", "findings last detected since this UTC date")
    .option("--severity <list>", "findings of these severities: 4,5")
    .option("--status <list>", "findings with these statuses: NEW,ACTIVE,REOPENED,FIXED")
    .option("--ids <list>", "definitions: these QIDs; web apps: these ids")
    .option("--webapp-ids <list>", "findings and web apps of these web apps only")
    .option(
      "--overlap <duration>",
      "how far before the last run's start an incremental run looks again",
      "10m",
    )
    .option("--log-format <format>", "text, or json (one JSON object per line on stderr)", "text")
    .option(
      "--severity-map <file>",
      "a YAML or JSON file of severity labels by finding type (VULNERABILITY, POTENTIAL, SENSITIVE_CONTENT, INFORMATION_GATHERED) and Qualys severity 1-5, laid over the default table",
    );
  addConnectionOptions(sync);
  sync.action(async (flags: SyncFlags) => {
    if (flags.logFormat !== "json") return syncCommand(flags, textLog);
    // JSON logs: every line on stderr is one JSON object, errors included.
    try {
      await syncCommand(flags, jsonLog);
    } catch (error) {
      if (error instanceof CommandExit && !error.message) throw error;
      jsonLog("error", { message: redactOutput(error instanceof Error ? error.message : String(error)) }, "");
      throw new CommandExit(error instanceof CommandExit ? error.exitCode : EXIT.error);
    }
  });

  program
    .command("export")
    .description("Write stored web apps, findings or definitions as CSV or JSON Lines.")
    .option("--db <location>", `sqlite:PATH or postgres://… (env QUALYS_DB; default ${DEFAULT_DB})`)
    .requiredOption("--object <object>", "webapps, findings or definitions")
    .option("--format <format>", "csv or jsonl", "jsonl")
    .option("--since <date>", "only rows last seen since this UTC date")
    .option("--out <file>", "write here instead of standard output")
    .option("--include-vanished", "also rows a full sync found gone from Qualys")
    .option(
      "--subscription <id>",
      "only rows of this subscription (its id; a store shared by several subscriptions lists them when it is wrong)",
    )
    .action(
      async (flags: {
        db?: string;
        object: string;
        format: string;
        since?: string;
        out?: string;
        includeVanished?: boolean;
        subscription?: string;
      }) => {
        if (!(STORED_OBJECTS as readonly string[]).includes(flags.object))
          throw new UsageError(`--object: "${flags.object}" must be one of ${STORED_OBJECTS.join(", ")}`);
        if (flags.format !== "csv" && flags.format !== "jsonl")
          throw new UsageError(`--format: "${flags.format}" must be csv or jsonl`);
        const since = flags.since ? parseUtcDate(flags.since, "--since") : undefined;
        const wanted = flags.subscription === undefined ? undefined : Number(flags.subscription);
        if (wanted !== undefined && !(Number.isInteger(wanted) && wanted > 0))
          throw new UsageError(`--subscription: "${flags.subscription}" must be a subscription id (1, 2, …)`);
        // The output file is checked before the store is opened, and export never creates a database.
        const out = flags.out === undefined ? stdoutSink() : openOutFile(flags.out);
        let store: Store;
        try {
          store = await openStoreFrom(flags.db, { mustExist: true });
        } catch (error) {
          out.discard();
          throw error;
        }
        if (wanted !== undefined) {
          const known = await store.subscriptions();
          if (!known.some((s) => s.id === wanted)) {
            await store.close();
            out.discard();
            const list = known.map((s) => `${s.id} (${s.username} at ${s.apiUrl})`).join(", ");
            throw new UsageError(
              `--subscription: ${wanted} is not in ${store.location}; ${list ? `it holds ${list}` : "it holds no subscription yet"}`,
            );
          }
        }
        let done = false;
        try {
          const options = { since, includeVanished: flags.includeVanished ?? false, subscriptionId: wanted };
          const rows =
            flags.object === "webapps"
              ? store.applications(options)
              : flags.object === "findings"
                ? store.findings(options)
                : store.definitions(options);
          let header: string[] | undefined;
          let count = 0;
          for await (const row of rows as AsyncIterable<{
            record: object;
            subscriptionId: number;
            source: string;
            lastSeenAt: string;
          }>) {
            const data: Record<string, unknown> = {
              ...flatten(row.record),
              subscriptionId: row.subscriptionId,
              source: row.source,
              lastSeenAt: row.lastSeenAt,
            };
            if (flags.format === "jsonl") {
              write(
                out,
                `${logSafeJson(JSON.stringify({ ...row.record, subscriptionId: row.subscriptionId, source: row.source, lastSeenAt: row.lastSeenAt }))}\n`,
              );
            } else {
              if (!header) {
                header = Object.keys(data);
                write(out, `${header.map((k) => csvCell(k)).join(",")}\r\n`);
              }
              write(out, `${header.map((k) => csvCell(data[k], true)).join(",")}\r\n`);
            }
            count += 1;
          }
          out.finish();
          done = true;
          logLine(
            `exported ${count} ${flags.object} from ${store.location}${flags.out ? ` to ${flags.out}` : ""}`,
          );
        } finally {
          if (!done) out.discard();
          await store.close();
        }
      },
    );
}

/** Where export writes: standard output, or a file that appears under its name only once it is complete. */
interface Sink {
  write(text: string): void;
  /** All written: flush, close and put the file in place. */
  finish(): void;
  /** Failed: remove whatever was written, so no partial file passes for a complete export. */
  discard(): void;
}

function write(out: Sink, text: string): void {
  out.write(text);
}

function stdoutSink(): Sink {
  return { write: (text) => process.stdout.write(text), finish: () => undefined, discard: () => undefined };
}

/**
 * `--out FILE`: rows go to a temporary file beside it, renamed over FILE at the end. Every failure to open, write
 * or rename is a UsageError naming --out and the path (exit 3), never an unhandled stream error.
 */
function openOutFile(file: string): Sink {
  const fail = (error: unknown): never => {
    // The system's words name the temporary file; say what is wrong with the one the user gave instead.
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" || code === "ENOTDIR"
        ? `the folder ${path.dirname(file)} does not exist`
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? `permission denied in ${path.dirname(file)}`
          : code === "ENOSPC"
            ? "no space left on the device"
            : (error as Error).message;
    throw new UsageError(`--out ${file}: cannot write the export (${why})`);
  };
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    // Not there yet: the usual case.
  }
  if (isDirectory) fail(new Error("it is a directory; give a file name"));
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx");
  } catch (error) {
    fail(error);
  }
  let buffered = "";
  const flush = () => {
    if (fd === undefined || buffered === "") return;
    const text = buffered;
    buffered = "";
    try {
      writeSync(fd, text);
    } catch (error) {
      fail(error);
    }
  };
  const discard = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(temporary, { force: true });
  };
  return {
    write(text) {
      buffered += text;
      if (buffered.length >= 64 * 1024) flush();
    },
    finish() {
      try {
        flush();
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        renameSync(temporary, file);
      } catch (error) {
        discard();
        fail(error);
      }
    },
    discard,
  };
}

/** Nested values for CSV: arrays joined with "; ", objects flattened with dotted keys. */
function flatten(record: object, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out[name] = value.join("; ");
    else if (value !== null && typeof value === "object") Object.assign(out, flatten(value, name));
    else out[name] = value;
  }
  return out;
}
