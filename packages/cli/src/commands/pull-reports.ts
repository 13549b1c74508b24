/**
 * `qualys-connector pull-reports`: the WAS reports saved in Qualys (by title prefix and age), downloaded and
 * imported streamed into the sync's store, each in its own transaction; optionally after asking Qualys to create
 * one. The pulling loop is the sync package's `pullReports`; this command only maps flags to its options.
 *
 * A command of its own rather than `sync --objects reports`: the sync's objects are API records read by cursor,
 * while reports are files chosen by title and age, with flags (prefix, window, create) that mean nothing to the
 * other objects (docs/import.md, "Report pulls").
 */

import { readFileSync } from "node:fs";
import { createQualysClient } from "@qualys-connector/client";
import {
  type CreateReportRequest,
  type PulledOutcome,
  type PulledReportType,
  type PullProgress,
  pullReports,
} from "@qualys-connector/sync";
import type { Command } from "commander";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";
import { logJsonLine, logLine } from "../log.js";
import { parseInteger } from "../parse/numbers.js";
import { REPORT_WINDOWS, windowStart } from "../parse/report-window.js";
import { readSeverityMap } from "../parse/severity-map.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings } from "../settings.js";
import { abortOnSignals } from "../signals.js";
import { apiSubscription } from "../subscription.js";
import { failedSummary, type ImportSummary, printSummaries, progressReporter, summaryOf } from "./import.js";
import { DEFAULT_DB, openStoreFrom } from "./sync.js";

interface PullFlags extends ConnectionFlags {
  db?: string;
  reportTitlePrefix?: string;
  oldest: string;
  includeScanReports?: boolean;
  create?: boolean;
  webappIds?: string;
  tag?: string;
  label?: string;
  autoClose?: boolean;
  severityMap?: string;
  json?: boolean;
}

function createRequest(flags: PullFlags): CreateReportRequest | undefined {
  if (!flags.create) {
    if (flags.webappIds !== undefined || flags.tag !== undefined)
      throw new UsageError("--webapp-ids and --tag choose what --create reports on; add --create");
    return undefined;
  }
  if ((flags.webappIds === undefined) === (flags.tag === undefined))
    throw new UsageError("--create: give --webapp-ids 1,2 or --tag NAME (one of them)");
  if (flags.tag !== undefined) {
    if (flags.tag.trim() === "") throw new UsageError("--tag: give a tag name");
    return { tag: flags.tag.trim() };
  }
  const ids = (flags.webappIds ?? "")
    .split(",")
    .map((raw, i) => parseInteger(raw, `--webapp-ids entry ${i + 1}`, 1));
  return { webAppIds: [...new Set(ids)] };
}

function pulledSummary(pulled: PulledOutcome): ImportSummary {
  const name = `report ${pulled.report.id}${pulled.report.name ? ` (${pulled.report.name})` : ""}`;
  if (pulled.outcome === "failed") return failedSummary(name, new Error(pulled.error));
  return summaryOf(name, pulled.result, pulled.read);
}

async function pullCommand(flags: PullFlags): Promise<void> {
  const createdSince = windowStart(flags.oldest, "--oldest", new Date());
  const create = createRequest(flags);
  if (flags.label !== undefined && flags.label.trim() === "")
    throw new UsageError("--label: give a name (it is stored on the imported web apps)");
  const labels = readSeverityMap(flags.severityMap);
  const json = flags.json === true;
  const settings = loadSettings(flags, process.env, () => readFileSync(0, "utf8"));
  for (const warning of settings.warnings) logLine(`warning: ${warning}`);
  const client = createQualysClient({
    ...settings.client,
    log: (event) => {
      if (event.type === "warning") logLine(`warning: ${event.message}`);
    },
  });
  const store = await openStoreFrom(flags.db);
  const stop = abortOnSignals((signal) =>
    logLine(`${signal} received: the report being imported is rolled back; the next run pulls it again`),
  );
  const progress = progressReporter(json);
  const onProgress = (event: PullProgress) => {
    switch (event.kind) {
      case "searched":
        if (json)
          logJsonLine({ kind: "searched", matching: event.matching, alreadyImported: event.alreadyImported });
        else
          logLine(
            `${event.matching} saved reports match; ${event.alreadyImported} already imported, ${event.matching - event.alreadyImported} to pull`,
          );
        return;
      case "create":
        if (json)
          logJsonLine({ kind: "create", reportId: event.reportId, name: event.name, reused: event.reused });
        else
          logLine(
            `${event.reused ? "found report" : "created report"} ${event.reportId} (${event.name}); waiting for it`,
          );
        return;
      case "create-status":
        if (json) logJsonLine({ kind: "create-status", reportId: event.reportId, status: event.status });
        return;
      case "report-start":
        progress.start(`report ${event.report.id}`, undefined);
        return;
      case "report-bytes":
        progress.update(event.bytes, event.records);
        return;
      case "report-end": {
        progress.end();
        const summary = pulledSummary(event.pulled);
        if (json) logJsonLine({ kind: "report", reportId: event.pulled.report.id, summary });
        else if (summary.outcome === "failed") logLine(`error: ${summary.error ?? summary.file}`);
        else
          logLine(
            `${summary.file}: ${summary.outcome}: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged${summary.closed ? `, ${summary.closed} closed` : ""}`,
          );
        return;
      }
      case "deleted":
        if (json) logJsonLine({ kind: "deleted", reportId: event.reportId });
        else logLine(`deleted report ${event.reportId} (created for this pull)`);
        return;
    }
  };
  let failed = false;
  try {
    const types: PulledReportType[] = flags.includeScanReports
      ? ["WAS_WEBAPP_REPORT", "WAS_SCAN_REPORT"]
      : ["WAS_WEBAPP_REPORT"];
    const result = await pullReports(client, store, {
      // The sync's subscription key, so pulled rows merge with synced ones.
      subscription: apiSubscription(client.endpoints.api, settings.client.auth),
      titlePrefix: flags.reportTitlePrefix,
      createdSince,
      types,
      create,
      labels,
      label: flags.label?.trim(),
      autoClose: flags.autoClose === true,
      signal: stop.signal,
      progress: onProgress,
    });
    const summaries = result.pulled.map(pulledSummary);
    printSummaries(summaries, json);
    failed = result.pulled.some((p) => p.outcome === "failed");
    if (result.created?.error) {
      failed = true;
      if (json) logJsonLine({ kind: "error", message: `--create: ${result.created.error}` });
      else logLine(`error: --create: ${result.created.error}`);
    }
    if (!json)
      logLine(
        `store: ${store.location}: imported ${result.pulled.filter((p) => p.outcome === "imported").length}, skipped ${result.skipped.length} (imported before)`,
      );
  } finally {
    stop.release();
    await client.close().catch(() => undefined);
    await store.close();
  }
  // One report that failed fails the run (3); the others stay imported and the next run retries it.
  if (failed) throw new CommandExit(EXIT.error);
}

export function registerPullReportsCommand(program: Command): Command {
  const command = program
    .command("pull-reports")
    .description(
      "Download the WAS reports saved in Qualys (by title prefix and age) and import them into the sync's store, one transaction per report; reports imported before are skipped.",
    )
    .option("--db <location>", `sqlite:PATH or postgres://… (env QUALYS_DB; default ${DEFAULT_DB})`)
    .option("--report-title-prefix <text>", "only reports whose title starts with this text")
    .option("--oldest <window>", `only reports created within ${REPORT_WINDOWS.join("|")}`, "30d")
    .option("--include-scan-reports", "also WAS_SCAN_REPORT files (default: WAS_WEBAPP_REPORT only)")
    .option(
      "--create",
      "first ask Qualys for a new WAS_WEBAPP_REPORT (reused by a retried run, deleted after)",
    )
    .option("--webapp-ids <list>", "with --create: report on these web apps")
    .option("--tag <name>", "with --create: report on the web apps with this tag")
    .option("--label <name>", "a label stored on the imported web apps")
    .option("--auto-close", "set open findings that a newer report on their web app no longer lists to FIXED")
    .option(
      "--severity-map <file>",
      "a YAML or JSON file of severity labels by finding type (VULNERABILITY, POTENTIAL, SENSITIVE_CONTENT, INFORMATION_GATHERED) and Qualys severity 1-5, laid over the default table",
    )
    .option("--json", "progress as JSON lines on stderr, the summary as JSON on stdout");
  addConnectionOptions(command);
  return command.action((flags: PullFlags) => pullCommand(flags));
}
