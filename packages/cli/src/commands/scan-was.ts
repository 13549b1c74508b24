/**
 * `qualys-connector scan was`: the WAS scan gate (launch, poll, evaluate, fail the build, show the
 * results), with every input of Qualys' Azure DevOps extension, without the failures its users report.
 */

import {
  logSafe,
  runWasGate,
  type WasGateOptions,
  WebAppLookupError,
  wasGateApi,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { flagOf } from "../option-flags.js";
import { oneOf } from "../parse/choice.js";
import { parseInteger } from "../parse/numbers.js";
import { addConnectionOptions, type ConnectionFlags } from "../settings.js";
import {
  addPolicyOptions,
  type GateDbFlags,
  type PolicyOptionFlags,
  runScanGate,
  scanTiming,
} from "./gate-common.js";
import { addGateDbOption } from "./record-gate-run.js";

type Flags = ConnectionFlags &
  PolicyOptionFlags &
  GateDbFlags & {
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
  const { pollIntervalMs, timeoutMs, scanName } = scanTiming(flags, now);
  return {
    webApp: flags.webapp,
    scanId: flags.scanId !== undefined ? parseInteger(flags.scanId, "--scan-id", 1) : undefined,
    scanName,
    type: oneOf(flags.type, "--type", ["VULNERABILITY", "DISCOVERY"] as const),
    authRecord,
    optionProfileId,
    scanner,
    // Qualys accepts 1 to 24 hours (the cancel-hours check of Qualys' Jenkins WAS connector).
    cancelAfterHours:
      flags.cancelAfterHours !== undefined
        ? parseInteger(flags.cancelAfterHours, "--cancel-after-hours", 1, 24)
        : undefined,
    pollIntervalMs,
    timeoutMs,
    onTimeout: oneOf(flags.onTimeout, "--on-timeout", ["cancel", "leave", "cancel-attached"] as const),
    onRunning: oneOf(flags.onRunning, "--on-running", ["attach", "wait", "cancel", "fail"] as const),
    maxPollFailures: parseInteger(flags.maxPollFailures, "--max-poll-failures", 1, 1000),
    noWait: !flags.wait,
  };
}

export function registerScanWasCommand(scan: Command): void {
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
      "on timeout: cancel the scan this run launched (cancel) or leave it (leave); cancel-attached also cancels a scan it did not launch",
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
  addGateDbOption(was);
  addConnectionOptions(was, { requestTimeoutFlag: "--request-timeout" });
  was.action(async (flags: Flags) => {
    await runScanGate(flags, gateOptions(flags, new Date()), {
      api: wasGateApi,
      run: async (...args) => {
        try {
          return await runWasGate(...args);
        } catch (error) {
          // The message lists web app names, which are hostile: one escaped line (a usage error keeps line breaks).
          if (error instanceof WebAppLookupError) throw new UsageError(logSafe(error.messageWith(flagOf)));
          throw error;
        }
      },
      resume: { command: "scan was", flag: "--scan-id", id: (launched) => launched.scanId },
      record: { command: "scan was", kind: "was", targetKey: flags.webapp ?? "" },
    });
  });
}
