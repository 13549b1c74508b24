/**
 * `qualys-connector scan was`: the WAS scan gate (launch, poll, evaluate, fail the build, show the
 * results), with every input of Qualys' Azure DevOps extension, without the failures its users report.
 */

import {
  logSafe,
  runWasGate,
  SCAN_INPUT_DEFAULTS,
  type WasGateOptions,
  WebAppLookupError,
  wasGateApi,
  wasScanOptions,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { flagOf } from "../option-flags.js";
import { addConnectionOptions, type ConnectionFlags } from "../settings.js";
import {
  addPolicyOptions,
  asFlag,
  asUsageError,
  type GateDbFlags,
  type PolicyOptionFlags,
  runScanGate,
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

/** Flags to runner options, by the gate's mapping of the scan inputs; every bad value is a UsageError naming the flag. */
function gateOptions(
  flags: Flags,
  now: Date,
): Omit<WasGateOptions, "clock" | "signal" | "progress" | "tool"> {
  return asUsageError(() =>
    wasScanOptions(
      {
        webapp: flags.webapp,
        "scan-id": flags.scanId,
        "scan-name": flags.scanName,
        type: flags.type,
        "auth-record": flags.authRecord,
        "option-profile": flags.optionProfile,
        scanner: flags.scanner,
        "cancel-after-hours": flags.cancelAfterHours,
        "poll-interval": flags.pollInterval,
        timeout: flags.timeout,
        "on-timeout": flags.onTimeout,
        "on-running": flags.onRunning,
        "max-poll-failures": flags.maxPollFailures,
        wait: flags.wait,
      },
      asFlag,
      process.env,
      now,
    ),
  );
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
    .option("--type <type>", "VULNERABILITY or DISCOVERY", SCAN_INPUT_DEFAULTS.was.type)
    .option(
      "--auth-record <record>",
      "none, default, or an authentication record id",
      SCAN_INPUT_DEFAULTS.was["auth-record"],
    )
    .option(
      "--option-profile <profile>",
      "default (the web app's), or an option profile id",
      SCAN_INPUT_DEFAULTS.was["option-profile"],
    )
    .option(
      "--scanner <scanner>",
      "external, internal, or a scanner appliance name",
      SCAN_INPUT_DEFAULTS.was.scanner,
    )
    .option("--cancel-after-hours <n>", "Qualys cancels the scan after N hours (1-24), server side")
    .option(
      "--poll-interval <duration>",
      "how often to check the scan: 30s, 5m, or minutes such as 2*5",
      SCAN_INPUT_DEFAULTS.was["poll-interval"],
    )
    .option(
      "--timeout <duration>",
      "how long to wait for results: 24h, 90m, or minutes such as 60*24",
      SCAN_INPUT_DEFAULTS.was.timeout,
    )
    .option(
      "--on-timeout <action>",
      "on timeout: cancel the scan this run launched (cancel) or leave it (leave); cancel-attached also cancels a scan it did not launch",
      SCAN_INPUT_DEFAULTS.was["on-timeout"],
    )
    .option(
      "--on-running <action>",
      "when the web app already has a scan running: attach, wait, cancel, fail",
      SCAN_INPUT_DEFAULTS.was["on-running"],
    )
    .option("--no-wait", "launch, print and write the scan id, and exit 0 (gate later with --scan-id)")
    .option(
      "--max-poll-failures <n>",
      "failed status calls in a row that end the run with exit 3",
      SCAN_INPUT_DEFAULTS.was["max-poll-failures"],
    );
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
