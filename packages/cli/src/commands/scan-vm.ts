/**
 * `qualys-connector scan vm`: the VM host scan gate (the job of Qualys' Host Scanning connector for Jenkins):
 * scan host IPs or EC2 instances with Qualys VM, evaluate its criteria, fail the build, show the results.
 */

import { runVmGate, type VmGateOptions, vmGateApi } from "@qualys-connector/gate";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { oneOf } from "../parse/choice.js";
import { parseInteger } from "../parse/numbers.js";
import { addConnectionOptions, type ConnectionFlags } from "../settings.js";
import {
  addPolicyOptions,
  addVmCriteriaOptions,
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
    ip: string[];
    network?: string;
    ec2Instance: string[];
    ec2Connector?: string;
    ec2Endpoint?: string;
    runConnector?: boolean;
    scanRef?: string;
    scanName?: string;
    optionProfile?: string;
    scanner: string;
    pollInterval: string;
    timeout: string;
    onTimeout: string;
    wait: boolean;
    maxPollFailures: string;
  };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `10.0.0.1, 10.0.0.2` or repeated flags; each entry trimmed and checked. */
function listOf(values: readonly string[], flag: string, valid: RegExp, expected: string): string[] {
  const entries = values.flatMap((v) => v.split(","));
  const problems: string[] = [];
  const out: string[] = [];
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === "") problems.push(`entry ${index + 1} is empty`);
    else if (!valid.test(entry)) problems.push(`"${entry}" is not ${expected}`);
    else out.push(entry);
  });
  if (problems.length > 0) throw new UsageError(`${flag}: ${problems.join("; ")}`);
  return [...new Set(out)];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/**
 * One IPv4 address or an inclusive range `a.b.c.d-e.f.g.h` (Qualys' `ip` parameter; docs/qualys-api.md 4.3).
 */
const IP_OR_RANGE = new RegExp(`^${IPV4.source.slice(1, -1)}(-${IPV4.source.slice(1, -1)})?$`);
/**
 * EC2 instance ids are `i-` and 8 or 17 hex digits; any lower-case letters are accepted so that the simulator's
 * readable scenario ids (`i-000000000000stopped`) work too. The check catches stray spaces and missing prefixes.
 */
const INSTANCE = /^i-[0-9a-z]+$/;

/** An IPv4 address as a number, to compare the ends of a range. */
const ipNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

function vmOptions(flags: Flags, now: Date): Omit<VmGateOptions, "clock" | "signal" | "progress" | "tool"> {
  const ips = listOf(flags.ip, "--ip", IP_OR_RANGE, "an IPv4 address or range such as 10.0.0.1-10.0.0.9");
  const backwards = ips.filter((entry) => {
    const [start = "", end] = entry.split("-");
    return end !== undefined && ipNumber(start) > ipNumber(end);
  });
  if (backwards.length > 0)
    throw new UsageError(
      `--ip: ${backwards.map((r) => `"${r}"`).join(", ")} ends before it starts; give the lower address first`,
    );
  const instanceIds = listOf(
    flags.ec2Instance,
    "--ec2-instance",
    INSTANCE,
    "an EC2 instance id such as i-0abc12345678def90",
  );
  const targets = [ips.length > 0, instanceIds.length > 0].filter(Boolean).length;
  if (flags.scanRef === undefined && targets === 0)
    throw new UsageError(
      "give --ip ADDRESS or --ec2-instance ID (or --scan-ref REF to gate an existing scan)",
    );
  if (targets > 1) throw new UsageError("--ip and --ec2-instance: give one kind of target, not both");
  if (instanceIds.length > 0 && (!flags.ec2Connector?.trim() || !flags.ec2Endpoint?.trim()))
    throw new UsageError("--ec2-instance needs --ec2-connector NAME|ID and --ec2-endpoint REGION");
  if (instanceIds.length === 0 && (flags.ec2Connector || flags.ec2Endpoint || flags.runConnector))
    throw new UsageError("--ec2-connector, --ec2-endpoint and --run-connector need --ec2-instance");
  if (flags.network !== undefined && instanceIds.length > 0)
    throw new UsageError("--network applies to --ip targets, not to EC2 instances");
  if (flags.scanRef !== undefined && !/^scan\/\d+\.\d+$/.test(flags.scanRef.trim()))
    throw new UsageError(
      `--scan-ref: "${flags.scanRef}" is not a VM scan reference such as scan/1764590400.12345`,
    );
  const profile = flags.optionProfile?.trim();
  const scannerText = flags.scanner.trim();
  if (scannerText === "")
    throw new UsageError("--scanner: give external, all-in-network or a scanner appliance name");
  const scanner: VmGateOptions["scanner"] =
    scannerText.toLowerCase() === "external"
      ? { kind: "external" }
      : scannerText.toLowerCase() === "all-in-network"
        ? { kind: "all-in-network" }
        : { kind: "name", name: scannerText };
  if (scanner.kind === "all-in-network" && instanceIds.length > 0)
    throw new UsageError(
      "--scanner all-in-network applies to --ip targets only (as in Qualys' Jenkins connector)",
    );
  const { pollIntervalMs, timeoutMs, scanName } = scanTiming(flags, now);
  return {
    ips,
    networkId: flags.network !== undefined ? parseInteger(flags.network, "--network", 0) : undefined,
    ec2:
      instanceIds.length > 0
        ? {
            instanceIds,
            connector: flags.ec2Connector?.trim() ?? "",
            endpoint: flags.ec2Endpoint?.trim() ?? "",
            runConnector: flags.runConnector ?? false,
          }
        : undefined,
    scanRef: flags.scanRef?.trim(),
    scanName,
    optionProfile:
      profile === undefined || profile === "" || profile.toLowerCase() === "default"
        ? undefined
        : /^\d+$/.test(profile)
          ? { id: Number(profile) }
          : { title: profile },
    scanner,
    pollIntervalMs,
    timeoutMs,
    onTimeout: oneOf(flags.onTimeout, "--on-timeout", ["cancel", "leave", "cancel-attached"] as const),
    maxPollFailures: parseInteger(flags.maxPollFailures, "--max-poll-failures", 1, 1000),
    noWait: !flags.wait,
  };
}

export function registerScanVmCommand(scan: Command): void {
  const vm = scan
    .command("vm")
    .description(
      "Scan host IPs or EC2 instances with Qualys VM (or gate an existing scan), evaluate the criteria, write the outputs.",
    )
    .option("--ip <list>", "host IPs or ranges, comma-separated or repeated", collect, [])
    .option("--network <id>", "network id, where the subscription uses networks (`vm networks list`)")
    .option("--ec2-instance <list>", "EC2 instance ids, comma-separated or repeated", collect, [])
    .option("--ec2-connector <name|id>", "the AWS connector that knows the instances")
    .option("--ec2-endpoint <region>", "the EC2 endpoint (region code, e.g. us-east-1)")
    .option("--run-connector", "run the EC2 connector first and wait for it")
    .option("--scan-ref <ref>", "gate an existing scan (running or finished) instead of launching one")
    .option(
      "--scan-name <template>",
      "scan title; {pipeline} {build} {ci} {branch} {commit}; a timestamp is appended",
    )
    .option("--option-profile <title|id>", "VM option profile (default: the subscription's default profile)")
    .option("--scanner <scanner>", "external, all-in-network, or a scanner appliance name", "external")
    .option(
      "--poll-interval <duration>",
      "how often to check the scan: 30s, 2m, or minutes such as 2*1",
      "2m",
    )
    .option("--timeout <duration>", "how long to wait for results: 2h, 90m, or minutes such as 60*2", "2h")
    .option(
      "--on-timeout <action>",
      "on timeout: cancel the scan this run launched (cancel) or leave it (leave); cancel-attached also cancels a scan it did not launch",
      "cancel",
    )
    .option(
      "--no-wait",
      "launch, print and write the scan reference, and exit 0 (gate later with --scan-ref)",
    )
    .option("--max-poll-failures <n>", "failed status calls in a row that end the run with exit 3", "5");
  addPolicyOptions(vm);
  addVmCriteriaOptions(vm);
  addGateDbOption(vm);
  addConnectionOptions(vm, { requestTimeoutFlag: "--request-timeout" });
  vm.action(async (flags: Flags) => {
    const options = vmOptions(flags, new Date());
    await runScanGate(flags, options, {
      // VM v2 calls use a session by default: one login, one logout at the end, also on failure.
      auth: "session",
      api: vmGateApi,
      run: runVmGate,
      resume: { command: "scan vm", flag: "--scan-ref", id: (launched) => launched.scanRef },
      // The gate names a VM target by its IPs or EC2 instances (the result's target id), as here.
      record: {
        command: "scan vm",
        kind: "vm",
        targetKey: (options.ec2 ? options.ec2.instanceIds : options.ips).join(","),
      },
    });
  });
}
