/**
 * What `scan was`, `scan vm` and `evaluate` share: the policy flags, loading the policy and baseline, running a
 * scan gate (`runScanGate`: settings, signals, progress, `--no-wait`), and ending a run (write every output,
 * announce the summary to the CI system, print the verdict last, exit with its code).
 */

import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  type Clock,
  createQualysClient,
  deadlineSignal,
  type QualysClient,
  systemClock,
  withRequestScope,
} from "@qualys-connector/client";
import {
  announceSummary,
  type Baseline,
  countCalls,
  describeError,
  type GateProgress,
  type GateResult,
  type GateRunner,
  type HtmlMode,
  logSafeJson,
  type Policy,
  policyFromInputs,
  publishLaunchedScanOutputs,
  publishStepOutputs,
  redactGateResult,
  renderJson,
  ScanInputError,
  writeGateOutputs,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { printClientWarnings } from "../client-warnings.js";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";
import { logLine, printLine } from "../log.js";
import { flagOf } from "../option-flags.js";
import { oneOf } from "../parse/choice.js";
import { type ConnectionFlags, type LoadedSettings, loadSettings, outputSecrets } from "../settings.js";
import { apiSubscription } from "../subscription.js";
import { TOOL } from "../version.js";
import { type GateRecorder, type GateRecorderContext, openGateRecorder } from "./record-gate-run.js";

export interface PolicyOptionFlags {
  policy?: string;
  maxSeverityCount?: string;
  minSeverity?: string;
  failOnQids?: string;
  excludeQids?: string;
  onIncomplete?: string;
  baseline?: string;
  reportDir: string;
  format: string;
  htmlMode: string;
  gitlabDast?: string;
  failOnCves?: string;
  failOnCvss?: string;
  cvssVersion?: string;
  failOnPci?: boolean;
  includePotential?: boolean;
  excludeCves?: string;
}

/** `--db` of the gate commands (record-gate-run.ts): a location, or `true` when given alone. */
export interface GateDbFlags {
  db?: string | boolean;
}

/** Where the gate commands write their outputs when `--report-dir` is not given. */
export const DEFAULT_REPORT_DIR = "qualys-results";

/** The criteria and output flags of every gate command. */
export function addPolicyOptions(command: Command): Command {
  return command
    .option(
      "--policy <file>",
      'policy file (YAML or JSON); its fields: docs/gate.md, "The policy file" (JSON Schema: policy.schema.json of @qualys-connector/gate)',
    )
    .option("--max-severity-count <list>", "fail if the count of severity N is more than X: 5=0,4=2")
    .option("--min-severity <n>", "fail on any vulnerability of this severity (1-5) or higher")
    .option("--fail-on-qids <list>", "fail if any of these QIDs is found: 150000-150100,150263")
    .option("--exclude-qids <list>", "QIDs that no criterion counts")
    .option("--on-incomplete <action>", "fail (exit 2) or warn when the scan is incomplete", undefined)
    .option("--baseline <file>", "baseline file; criteria marked newOnly count only findings not in it")
    .option(
      "--report-dir <dir>",
      "where to write result.json, junit.xml, results.sarif, summary.md, report.html",
      DEFAULT_REPORT_DIR,
    )
    .option("--format <format>", "console output: text, or json (prints result.json to stdout)", "text")
    .option(
      "--html-mode <mode>",
      "report.html: inline (one self-contained file) or strict (no inline style, report.css beside it, for a strict Content-Security-Policy such as Jenkins')",
      "inline",
    )
    .option(
      "--gitlab-dast <file>",
      "also write a GitLab DAST security report (schema 15.x) to FILE, for artifacts:reports:dast",
    );
}

/** The VM gate's criteria (those of Qualys' Jenkins VM connector), also accepted by `evaluate` for saved VM results. */
export function addVmCriteriaOptions(command: Command): Command {
  return command
    .option("--fail-on-cves <list>", "fail if any of these CVEs is found: CVE-2021-44228,CVE-2014-0160")
    .option("--fail-on-cvss <score>", "fail on any vulnerability whose CVSS base score is at or above SCORE")
    .option(
      "--cvss-version <version>",
      "the CVSS base score --fail-on-cvss compares: 2, 3 or max (default max)",
    )
    .option("--fail-on-pci", "fail on any vulnerability flagged for PCI")
    .option("--include-potential", "also evaluate potential vulnerabilities (default: confirmed only)")
    .option(
      "--exclude-cves <list>",
      "findings with these CVEs count for no criterion (with --exclude-qids too)",
    );
}

/** Policy and baseline from the flags; errors become UsageErrors (exit 3) naming the input. */
export function loadPolicy(flags: PolicyOptionFlags): { policy: Policy; baseline: Baseline | undefined } {
  if (flags.format !== "text" && flags.format !== "json")
    throw new UsageError(`--format: "${flags.format}" must be text or json`);
  htmlModeOf(flags);
  checkReportDir(flags.reportDir);
  if (flags.gitlabDast !== undefined) checkGitlabDastFile(flags.gitlabDast);
  return asUsageError(() =>
    policyFromInputs(
      {
        policy: flags.policy,
        "max-severity-count": flags.maxSeverityCount,
        "min-severity": flags.minSeverity,
        "fail-on-qids": flags.failOnQids,
        "exclude-qids": flags.excludeQids,
        "on-incomplete": flags.onIncomplete,
        baseline: flags.baseline,
        "fail-on-cves": flags.failOnCves,
        "fail-on-cvss": flags.failOnCvss,
        "cvss-version": flags.cvssVersion,
        "fail-on-pci": flags.failOnPci,
        "include-potential": flags.includePotential,
        "exclude-cves": flags.excludeCves,
      },
      asFlag,
    ),
  );
}

/** `--html-mode`, checked (loadPolicy checks it before any scan is launched). */
function htmlModeOf(flags: Pick<PolicyOptionFlags, "htmlMode">): HtmlMode {
  return oneOf(flags.htmlMode, "--html-mode", ["inline", "strict"] as const);
}

/** Refuse a --gitlab-dast that names a folder or is empty, before any scan is launched. */
function checkGitlabDastFile(file: string): void {
  if (file.trim() === "")
    throw new UsageError("--gitlab-dast: give a file name, such as gl-dast-report.json");
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (isDirectory) throw new UsageError(`--gitlab-dast ${file}: is a directory, not a file`);
  checkReportDir(path.dirname(path.resolve(file)));
}

/**
 * Refuse a --report-dir the outputs could not be written to, before any scan is launched: an existing file, or a
 * directory (or, when it does not exist yet, the nearest existing parent) this process may not write to.
 */
function checkReportDir(dir: string): void {
  const problem = (what: string) => new UsageError(`--report-dir ${dir}: ${what}`);
  let existing = path.resolve(dir);
  for (;;) {
    let stats: ReturnType<typeof statSync> | undefined;
    try {
      stats = statSync(existing);
    } catch {
      stats = undefined;
    }
    if (stats) {
      if (!stats.isDirectory())
        throw problem(
          existing === path.resolve(dir) ? "is a file, not a directory" : `${existing} is a file`,
        );
      try {
        accessSync(existing, constants.W_OK);
      } catch {
        throw problem(`cannot write to ${existing}`);
      }
      return;
    }
    const parent = path.dirname(existing);
    if (parent === existing) return;
    existing = parent;
  }
}

/**
 * Write the outputs, announce them, record the run (with `--db`), print the verdict as the last line and end with
 * the verdict's exit code. If the outputs cannot be written, that is a tool error (exit 3) whatever the verdict
 * was; if the run cannot be recorded, the verdict and its exit code stand (the recorder says what failed).
 */
export async function endGateRun(
  unsafe: GateResult,
  flags: Pick<PolicyOptionFlags, "reportDir" | "format" | "htmlMode" | "gitlabDast">,
  recorder?: GateRecorder | undefined,
): Promise<never> {
  // Everything below (files, step outputs, console) comes from the result with the loaded secrets masked.
  const result = redactGateResult(unsafe, outputSecrets());
  const err = logLine;
  let markdownPath: string | undefined;
  err(`writing the outputs to ${flags.reportDir}`);
  try {
    const paths = writeGateOutputs(result, flags.reportDir, {
      htmlMode: htmlModeOf(flags),
      ...(flags.gitlabDast === undefined ? {} : { gitlabDast: flags.gitlabDast }),
    });
    markdownPath = paths.markdown;
    err(`outputs: ${Object.values(paths).join(", ")}`);
  } catch (error) {
    await recorder?.record(result);
    throw new CommandExit(
      EXIT.error,
      `--report-dir ${flags.reportDir}: cannot write the outputs (${(error as Error).message}); verdict was: ${result.reason}`,
    );
  }
  // Workflow commands, built with their values escaped, and warnings already made log-safe by the gate.
  for (const line of [
    ...announceSummary(markdownPath, process.env),
    ...publishStepOutputs(result, flags.reportDir, process.env),
  ])
    process.stdout.write(`${line}\n`);
  for (const warning of result.warnings) err(`warning: ${warning}`);
  if (result.scan?.portalUrl) err(`scan report in the Qualys portal: ${result.scan.portalUrl}`);
  // The stored result is the redacted one, as every output.
  await recorder?.record(result);
  if (flags.format === "json") process.stdout.write(logSafeJson(renderJson(result)));
  else printLine(result.reason);
  throw new CommandExit(result.exitCode);
}

/** Progress lines on stderr: short, one per change, so CI logs stay readable over a 24-hour scan. */
function progressPrinter(): (event: GateProgress) => void {
  let lastStatus = "";
  let lastPrinted = 0;
  const err = logLine;
  return (event) => {
    switch (event.kind) {
      case "webapp":
        return err(`web app ${event.webApp.id} "${event.webApp.name}" ${event.webApp.url}`);
      case "launched":
        return err(`launched scan ${event.scanId} "${event.name}"`);
      case "attached":
        return err(`gating scan ${event.scanId} (${event.why})`);
      case "waiting-for-running":
        return err(`waiting for scan ${event.scanId}, already running on this web app (--on-running wait)`);
      case "status": {
        const minutes = Math.floor(event.elapsedMs / 60_000);
        if (event.status !== lastStatus || event.elapsedMs - lastPrinted >= 10 * 60_000) {
          lastStatus = event.status;
          lastPrinted = event.elapsedMs;
          err(
            `scan ${event.scanId}: ${event.status} (${minutes}m ${Math.floor((event.elapsedMs % 60_000) / 1000)}s elapsed)`,
          );
        }
        return;
      }
      case "poll-failed":
        return err(`status call failed (${event.failures}/${event.max} in a row): ${event.message}`);
      case "cancelling":
        return err(`cancelling scan ${event.scanId} (${event.why})`);
      case "results":
        return err(`downloaded results of scan ${event.scanId}: ${event.vulnerabilities} vulnerabilities`);
      case "warning":
        return err(`warning: ${event.message}`);
    }
  };
}

/** What a gate run hears of SIGINT/SIGTERM (runner options `signal` and `forceSignal`). */
export interface GateSignals {
  /** The first signal: stop every request, cancel the scan this run launched, write the outputs. */
  signal: AbortSignal;
  /** The second signal: stop the cancel call too and write the outputs at once. */
  forceSignal: AbortSignal;
}

/** How long the VM session logout at the end may take. */
const CLOSE_DEADLINE_MS = 3000;
/**
 * A last resort after a signal: the runner stops within the cancel call's deadline (5 s) and the outputs take
 * milliseconds, so a run still alive this long after a signal is stuck; it ends with exit 2, outputs or not.
 */
const STUCK_AFTER_SIGNAL_MS = 9000;

/**
 * Run a gate with a client, turning SIGINT/SIGTERM into an abort: every request in flight stops, the runner
 * cancels the scan it launched (its cancel call bounded by a short deadline) and still returns a result, so every
 * output is written and the run exits 2. A second signal stops the cancel call too, so the outputs are written at
 * once. A signal after the outputs were written ends the process at once with exit 2. The client is closed at the
 * end (VM session logout, bounded), also on failure.
 */
async function withGateClient(
  settings: LoadedSettings,
  run: (client: QualysClient, signals: GateSignals, apiCalls: Record<string, number>) => Promise<void>,
): Promise<void> {
  for (const warning of settings.warnings) logLine(`warning: ${warning}`);
  const first = new AbortController();
  const force = new AbortController();
  let finished = false;
  const lastResort = () =>
    setTimeout(() => {
      logLine("the run did not stop in time after the signal; exiting without waiting more");
      process.exit(EXIT.scanIncomplete);
    }, STUCK_AFTER_SIGNAL_MS).unref();
  // The handlers stay installed until the process exits: a signal that arrives while the client closes or the
  // event loop drains must not kill the process with the default action (no exit code, nothing said).
  const onSignal = (signal: NodeJS.Signals) => {
    if (finished) {
      logLine(`${signal} received after the outputs were written; exiting 2`);
      process.exit(EXIT.scanIncomplete);
    }
    if (!first.signal.aborted) {
      logLine(
        `${signal} received: cancelling the scan and writing the outputs (again to stop the cancel call)`,
      );
      first.abort(`${signal} received`);
      lastResort();
      return;
    }
    if (!force.signal.aborted) {
      logLine(`${signal} received again: writing the outputs now`);
      force.abort(`${signal} received again`);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const client = createQualysClient({ ...settings.client, log: printClientWarnings });
  try {
    await run(client, { signal: first.signal, forceSignal: force.signal }, {});
  } catch (error) {
    if (error instanceof CommandExit || error instanceof UsageError) throw error;
    throw new CommandExit(EXIT.error, describeError(error).message);
  } finally {
    finished = true;
    const bound = deadlineSignal(CLOSE_DEADLINE_MS, "closing the client took too long", force.signal);
    await withRequestScope({ signal: bound.signal }, () => client.close())
      .catch(() => undefined)
      .finally(bound.clear);
    // A signal that arrived while the outputs were written (synchronously) is read in the event loop's poll
    // phase, which a loop with nothing left to do skips on its way out: a short timer makes the loop poll once,
    // so its handler runs (exit 2) instead of the signal being lost.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What a scan command's runner takes from the command itself rather than from its flags. */
export interface GateRunContext extends GateSignals {
  clock: Clock;
  progress: (event: GateProgress) => void;
  tool: { name: string; version: string };
}

/** How one scan gate (WAS or VM) plugs into `runScanGate`: what differs between `scan was` and `scan vm`. */
export interface ScanGateCommand<Api, Options, Launched extends { kind: "launched" }> {
  /** The client's default authentication (VM v2 calls use a session: one login, one logout at the end). */
  auth?: "basic" | "session";
  /** The gate's API over the client; `count` is told the purpose of every call, for result.json. */
  api: (client: QualysClient, count: (purpose: string) => void) => Api;
  /** The runner. */
  run: GateRunner<Api, Options & GateRunContext, GateResult | Launched>;
  /** With `--no-wait`: how a later job resumes the launched scan (`scan was --scan-id 42`). */
  resume: { command: string; flag: "--scan-id" | "--scan-ref"; id: (launched: Launched) => number | string };
  /** With `--db`: how the verdict is recorded (the command, the gate's kind, the target the flags name). */
  record: GateRecorderContext;
}

/**
 * The wiring `scan was` and `scan vm` share, given the runner options read from their flags: load the policy and
 * baseline, the connection settings (the request timeout from `--request-timeout`), run the gate with a client
 * that signals abort, progress on stderr, then end the run (every output, the verdict recorded with `--db`, the
 * exit code), or with `--no-wait` publish the launched scan. The `--db` store is opened before the client, so a
 * bad location fails before any scan is launched.
 */
export async function runScanGate<Api, Options, Launched extends { kind: "launched" }>(
  flags: PolicyOptionFlags & ConnectionFlags & GateDbFlags & { timeout?: string; requestTimeout?: string },
  options: Options,
  gate: ScanGateCommand<Api, Options, Launched>,
): Promise<void> {
  const { policy, baseline } = loadPolicy(flags);
  const settings = gateSettings(flags, gate.auth !== undefined ? { auth: gate.auth } : {});
  const recorder = await openGateRecorder(flags.db, gate.record);
  try {
    await scanGate(settings, options, gate, policy, baseline, flags, recorder);
  } finally {
    await recorder?.close();
  }
}

async function scanGate<Api, Options, Launched extends { kind: "launched" }>(
  settings: LoadedSettings,
  options: Options,
  gate: ScanGateCommand<Api, Options, Launched>,
  policy: Policy,
  baseline: Baseline | undefined,
  flags: Pick<PolicyOptionFlags, "reportDir" | "format" | "htmlMode" | "gitlabDast">,
  recorder: GateRecorder | undefined,
): Promise<void> {
  await withGateClient(settings, async (client, signals, apiCalls) => {
    recorder?.setSubscription(apiSubscription(client.endpoints.api, settings.client.auth));
    const api = gate.api(client, countCalls(apiCalls));
    const outcome = await gate.run(
      api,
      {
        ...options,
        ...signals,
        clock: systemClock,
        progress: progressPrinter(),
        tool: TOOL,
        // Reasons and hints name the CLI's flags, not the gate's option names.
        optionName: flagOf,
      },
      policy,
      baseline,
      apiCalls,
    );
    if ("kind" in outcome) {
      endLaunchedRun(outcome, gate.resume.id(outcome), gate.resume.flag, gate.resume.command, flags);
      return;
    }
    await endGateRun(outcome, flags, recorder);
  });
}

/** `--no-wait`: write scan.json, publish the id for later jobs, print it, exit 0. */
function endLaunchedRun(
  launched: object,
  scanId: number | string,
  resumeFlag: "--scan-id" | "--scan-ref",
  command: string,
  flags: Pick<PolicyOptionFlags, "reportDir" | "format">,
): void {
  mkdirSync(flags.reportDir, { recursive: true });
  const file = path.join(flags.reportDir, "scan.json");
  writeFileSync(file, `${JSON.stringify(launched, null, 2)}\n`);
  logLine(`wrote ${file}; gate it later with: qualys-connector ${command} ${resumeFlag} ${scanId}`);
  for (const line of publishLaunchedScanOutputs(String(scanId), process.env))
    process.stdout.write(`${line}\n`);
  if (flags.format === "json") process.stdout.write(`${logSafeJson(JSON.stringify(launched, null, 2))}\n`);
  else printLine(String(scanId));
}

/**
 * Connection settings of a scan command, whose `--timeout` is the scan's: the per-request timeout comes from
 * `--request-timeout` instead.
 */
function gateSettings(
  flags: ConnectionFlags & { timeout?: string; requestTimeout?: string },
  defaults: { auth?: "basic" | "session" } = {},
): LoadedSettings {
  const { timeout: _scanTimeout, requestTimeout, ...connection } = flags;
  return loadSettings(
    { ...connection, ...(requestTimeout !== undefined ? { timeout: requestTimeout } : {}) },
    process.env,
    () => readFileSync(0, "utf8"),
    defaults,
  );
}

/** A scan input's kebab-case name as this command's flag: `webapp` -> `--webapp`. */
export const asFlag = (input: string) => `--${input}`;

/** Run the gate's mapping of the scan inputs; its ScanInputError (which names the flag) is a UsageError (exit 3). */
export function asUsageError<T>(map: () => T): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof ScanInputError) throw new UsageError(error.message);
    throw error;
  }
}
