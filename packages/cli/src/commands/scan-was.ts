/**
 * `qualys-connector scan was`: the WAS scan gate of seed 000 (launch, poll, evaluate, fail the build, show the
 * results), with every input of the Azure DevOps extension and the fixes peers-ci-gates.md calls for.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createQualysClient, systemClock } from "@qualys-connector/client";
import {
  defaultScanNameTemplate,
  describeError,
  detectCi,
  type GateProgress,
  renderScanName,
  runWasGate,
  ScanNameError,
  type WasGateOptions,
  WebAppLookupError,
  wasGateApi,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";
import { parseDuration } from "../parse/duration.js";
import { parseInteger } from "../parse/numbers.js";
import { addConnectionOptions, type ConnectionFlags, loadSettings } from "../settings.js";
import { VERSION } from "../version.js";
import { addPolicyOptions, endGateRun, loadPolicy, type PolicyOptionFlags } from "./gate-common.js";

type Flags = ConnectionFlags &
  PolicyOptionFlags & {
    requestTimeout?: string;
    webapp?: string;
    scanId?: string;
    scanName?: string;
    type: string;
    authRecord: string;
    optionProfile: string;
    scanner: string;
    cancelAfterHours?: string;
    pollInterval: string;
    timeout: string;
    onTimeout: string;
    onRunning: string;
    wait: boolean;
    maxPollFailures: string;
  };

function oneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  const text = value.trim();
  const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!match) throw new UsageError(`${flag}: "${value}" must be one of ${allowed.join(", ")}`);
  return match;
}

/** Flags to runner options; every bad value is a UsageError naming the flag. */
function gateOptions(
  flags: Flags,
  now: Date,
): Omit<WasGateOptions, "clock" | "signal" | "progress" | "tool"> {
  if (flags.webapp === undefined && flags.scanId === undefined)
    throw new UsageError("--webapp is required (a web app id or exact name), unless --scan-id is given");
  const authRecordText = flags.authRecord.trim().toLowerCase();
  const authRecord: WasGateOptions["authRecord"] =
    authRecordText === "none" || authRecordText === "default"
      ? authRecordText
      : { id: parseInteger(flags.authRecord, "--auth-record (none, default or an id)", 1) };
  const profileText = flags.optionProfile.trim().toLowerCase();
  const optionProfileId =
    profileText === "default"
      ? undefined
      : parseInteger(flags.optionProfile, "--option-profile (default or an id)", 1);
  const scannerText = flags.scanner.trim();
  if (scannerText === "")
    throw new UsageError("--scanner: give external, internal or a scanner appliance name");
  const scanner: WasGateOptions["scanner"] =
    scannerText.toLowerCase() === "external"
      ? { type: "EXTERNAL" }
      : scannerText.toLowerCase() === "internal"
        ? { type: "INTERNAL" }
        : { type: "INTERNAL", friendlyName: scannerText };
  const pollIntervalMs = parseDuration(flags.pollInterval, "--poll-interval", "m");
  const timeoutMs = parseDuration(flags.timeout, "--timeout", "m");
  if (pollIntervalMs < 1000)
    throw new UsageError(`--poll-interval: "${flags.pollInterval}" is under 1 second`);
  if (timeoutMs < pollIntervalMs)
    throw new UsageError(
      `--timeout: "${flags.timeout}" is shorter than --poll-interval "${flags.pollInterval}"`,
    );
  const ci = detectCi(process.env);
  let scanName: string;
  try {
    scanName = renderScanName(flags.scanName ?? defaultScanNameTemplate(ci.ci), ci, now);
  } catch (error) {
    if (error instanceof ScanNameError) throw new UsageError(error.message);
    throw error;
  }
  return {
    webApp: flags.webapp,
    scanId: flags.scanId !== undefined ? parseInteger(flags.scanId, "--scan-id", 1) : undefined,
    scanName,
    type: oneOf(flags.type, "--type", ["VULNERABILITY", "DISCOVERY"] as const),
    authRecord,
    optionProfileId,
    scanner,
    // Qualys accepts 1 to 24 hours (JWAS doCheckCancelHours, peers-ci-gates.md 1.1).
    cancelAfterHours:
      flags.cancelAfterHours !== undefined
        ? parseInteger(flags.cancelAfterHours, "--cancel-after-hours", 1, 24)
        : undefined,
    pollIntervalMs,
    timeoutMs,
    onTimeout: oneOf(flags.onTimeout, "--on-timeout", ["cancel", "leave"] as const),
    onRunning: oneOf(flags.onRunning, "--on-running", ["attach", "wait", "cancel", "fail"] as const),
    maxPollFailures: parseInteger(flags.maxPollFailures, "--max-poll-failures", 1, 1000),
    noWait: !flags.wait,
  };
}

/** Progress lines on stderr: short, one per change, so CI logs stay readable over a 24-hour scan. */
function progressPrinter(): (event: GateProgress) => void {
  let lastStatus = "";
  let lastPrinted = 0;
  const err = (line: string) => process.stderr.write(`${line}\n`);
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

export function registerScanCommands(program: Command): void {
  const scan = program
    .command("scan")
    .description("Scan gates: launch a Qualys scan from CI and pass or fail the build");
  const was = scan
    .command("was")
    .description(
      "Launch a Qualys WAS scan on a web app (or attach to one), wait, evaluate the criteria, write the outputs.",
    )
    .option("--webapp <id|name>", "web app id or exact name")
    .option("--scan-id <id>", "gate an existing scan (running or finished) instead of launching one")
    .option(
      "--scan-name <template>",
      "scan name; {pipeline} {build} {ci} {branch} {commit}; a timestamp is appended",
    )
    .option("--type <type>", "VULNERABILITY or DISCOVERY", "VULNERABILITY")
    .option("--auth-record <record>", "none, default, or an authentication record id", "none")
    .option("--option-profile <profile>", "default (the web app's), or an option profile id", "default")
    .option("--scanner <scanner>", "external, internal, or a scanner appliance name", "external")
    .option("--cancel-after-hours <n>", "Qualys cancels the scan after N hours (1-24), server side")
    .option(
      "--poll-interval <duration>",
      "how often to check the scan: 30s, 5m, or minutes such as 2*5",
      "5m",
    )
    .option("--timeout <duration>", "how long to wait for results: 24h, 90m, or minutes such as 60*24", "24h")
    .option(
      "--on-timeout <action>",
      "cancel the scan on timeout (cancel) or leave it running (leave)",
      "cancel",
    )
    .option(
      "--on-running <action>",
      "when the web app already has a scan running: attach, wait, cancel, fail",
      "attach",
    )
    .option("--no-wait", "launch, print and write the scan id, and exit 0 (gate later with --scan-id)")
    .option("--max-poll-failures <n>", "failed status calls in a row that end the run with exit 3", "5");
  addPolicyOptions(was);
  addConnectionOptions(was, { requestTimeoutFlag: "--request-timeout" });
  was.action(async (flags: Flags) => {
    const now = new Date();
    const options = gateOptions(flags, now);
    const { policy, baseline } = loadPolicy(flags);
    const { timeout: _scanTimeout, requestTimeout, ...connection } = flags;
    const settings = loadSettings(
      { ...connection, ...(requestTimeout !== undefined ? { timeout: requestTimeout } : {}) },
      process.env,
      () => readFileSync(0, "utf8"),
    );
    for (const warning of settings.warnings) process.stderr.write(`warning: ${warning}\n`);

    // SIGINT/SIGTERM: cancel the scan and still write every output; a second signal stops at once.
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(EXIT.error);
      process.stderr.write(
        `${signal} received: cancelling the scan and writing the outputs (again to stop now)\n`,
      );
      controller.abort(`${signal} received`);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const client = createQualysClient(settings.client);
    const apiCalls: Record<string, number> = {};
    const api = wasGateApi(client, (purpose) => {
      apiCalls[purpose] = (apiCalls[purpose] ?? 0) + 1;
    });
    try {
      const outcome = await runWasGate(
        api,
        {
          ...options,
          signal: controller.signal,
          clock: systemClock,
          progress: progressPrinter(),
          tool: { name: "qualys-connector", version: VERSION },
        },
        policy,
        baseline,
        apiCalls,
      );
      if ("kind" in outcome) {
        mkdirSync(flags.reportDir, { recursive: true });
        const file = path.join(flags.reportDir, "scan.json");
        writeFileSync(file, `${JSON.stringify(outcome, null, 2)}\n`);
        process.stderr.write(
          `wrote ${file}; gate it later with: qualys-connector scan was --scan-id ${outcome.scanId}\n`,
        );
        if (process.env.GITHUB_OUTPUT)
          writeFileSync(process.env.GITHUB_OUTPUT, `scan-id=${outcome.scanId}\n`, { flag: "a" });
        if (process.env.TF_BUILD?.toLowerCase() === "true")
          process.stdout.write(
            `##vso[task.setvariable variable=qualysScanId;isOutput=true]${outcome.scanId}\n`,
          );
        process.stdout.write(
          flags.format === "json" ? `${JSON.stringify(outcome, null, 2)}\n` : `${outcome.scanId}\n`,
        );
        return;
      }
      endGateRun(outcome, flags);
    } catch (error) {
      if (error instanceof CommandExit) throw error;
      if (error instanceof WebAppLookupError) throw new UsageError(error.message);
      throw new CommandExit(EXIT.error, describeError(error).message);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await client.close().catch(() => undefined);
    }
  });
}
