/**
 * `qualys-connector scan vm`: the VM host scan gate (the job of Qualys' Host Scanning connector for Jenkins):
 * scan host IPs or EC2 instances with Qualys VM, evaluate its criteria, fail the build, show the results.
 */

import {
  runVmGate,
  SCAN_INPUT_DEFAULTS,
  type VmGateOptions,
  vmGateApi,
  vmScanOptions,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { addConnectionOptions, type ConnectionFlags } from "../settings.js";
import {
  addPolicyOptions,
  addVmCriteriaOptions,
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

/** Flags to runner options, by the gate's mapping of the scan inputs; every bad value is a UsageError naming the flag. */
function vmOptions(flags: Flags, now: Date): Omit<VmGateOptions, "clock" | "signal" | "progress" | "tool"> {
  return asUsageError(() =>
    vmScanOptions(
      {
        ip: flags.ip,
        network: flags.network,
        "ec2-instance": flags.ec2Instance,
        "ec2-connector": flags.ec2Connector,
        "ec2-endpoint": flags.ec2Endpoint,
        "run-connector": flags.runConnector,
        "scan-ref": flags.scanRef,
        "scan-name": flags.scanName,
        "option-profile": flags.optionProfile,
        scanner: flags.scanner,
        "poll-interval": flags.pollInterval,
        timeout: flags.timeout,
        "on-timeout": flags.onTimeout,
        "max-poll-failures": flags.maxPollFailures,
        wait: flags.wait,
      },
      asFlag,
      process.env,
      now,
    ),
  );
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
    .option(
      "--scanner <scanner>",
      "external, all-in-network, or a scanner appliance name",
      SCAN_INPUT_DEFAULTS.vm.scanner,
    )
    .option(
      "--poll-interval <duration>",
      "how often to check the scan: 30s, 2m, or minutes such as 2*1",
      SCAN_INPUT_DEFAULTS.vm["poll-interval"],
    )
    .option(
      "--timeout <duration>",
      "how long to wait for results: 2h, 90m, or minutes such as 60*2",
      SCAN_INPUT_DEFAULTS.vm.timeout,
    )
    .option(
      "--on-timeout <action>",
      "on timeout: cancel the scan this run launched (cancel) or leave it (leave); cancel-attached also cancels a scan it did not launch",
      SCAN_INPUT_DEFAULTS.vm["on-timeout"],
    )
    .option(
      "--no-wait",
      "launch, print and write the scan reference, and exit 0 (gate later with --scan-ref)",
    )
    .option(
      "--max-poll-failures <n>",
      "failed status calls in a row that end the run with exit 3",
      SCAN_INPUT_DEFAULTS.vm["max-poll-failures"],
    );
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
