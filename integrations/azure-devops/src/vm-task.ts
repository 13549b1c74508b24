/**
 * The QualysVmScan pipeline task: host IPs or EC2 instances scanned with Qualys VM, the VM gate's criteria
 * (tasks/QualysVmScan/task.json) as its options, run by the shared task shell.
 */

import { runVmGate, type VmGateOptions, vmGateApi } from "@qualys-connector/gate";
import {
  booleanInput,
  choiceInput,
  integerInput,
  optionalInput,
  policyInputs,
  requiredInput,
  TaskInputError,
  timingInputs,
} from "./inputs.js";
import { runGateTask } from "./run-gate-task.js";

/** A comma- or line-separated list input, entries trimmed, duplicates dropped. */
function listInput(name: string): string[] {
  const entries = requiredInput(name)
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) throw new TaskInputError(`${name}: required, but empty`);
  return [...new Set(entries)];
}

/** A typed option profile id, or a title from the pick list (the VM API takes either, docs/qualys-api.md 4.3). */
function profileOf(text: string): { id: number } | { title: string } {
  return /^\d+$/.test(text) ? { id: Number(text) } : { title: text };
}

/** The form's target, scanner and option profile as the VM gate's options. */
export function vmOptions(): Omit<
  VmGateOptions,
  "clock" | "signal" | "forceSignal" | "progress" | "tool" | "scanName" | "optionName"
> {
  const target = choiceInput("targetType", ["ip", "ec2"] as const, "ip");
  const optionProfile = choiceInput("optionProfile", ["default", "other"] as const, "default");
  const scannerType = choiceInput(
    "scannerType",
    ["external", "appliance", "all-in-network"] as const,
    "external",
  );
  if (scannerType === "all-in-network" && target === "ec2")
    throw new TaskInputError("scannerType: all-in-network applies to host IPs, not to EC2 instances");
  const networkText = optionalInput("networkId");
  return {
    ips: target === "ip" ? listInput("hostIp") : [],
    networkId: target === "ip" && networkText !== undefined ? integerInput("networkId", 0) : undefined,
    ec2:
      target === "ec2"
        ? {
            instanceIds: listInput("ec2InstanceId"),
            connector: requiredInput("ec2Connector"),
            endpoint: requiredInput("ec2Endpoint"),
            runConnector: booleanInput("runConnector"),
          }
        : undefined,
    optionProfile: optionProfile === "other" ? profileOf(requiredInput("optionProfileName")) : undefined,
    scanner:
      scannerType === "appliance"
        ? { kind: "name", name: requiredInput("scannerAppliance") }
        : scannerType === "all-in-network"
          ? { kind: "all-in-network" }
          : { kind: "external" },
    ...timingInputs({ poll: "2", timeout: "60*2" }),
    onTimeout: booleanInput("leaveScanOnTimeout") ? "leave" : "cancel",
    maxPollFailures: 5,
  };
}

// runGateTask never rejects: every problem ends as the task's result.
void runGateTask({
  name: "QualysVmScan",
  // VM API v2 calls use a session: one login, one logout at the end (docs/qualys-api.md 4.1).
  userAuth: "session",
  api: vmGateApi,
  run: runVmGate,
  options: vmOptions,
  policy: () =>
    policyInputs({
      "fail-on-cves": booleanInput("failByCves") ? requiredInput("cveList") : undefined,
      "fail-on-cvss": booleanInput("failByCvss") ? requiredInput("cvssScore") : undefined,
      "cvss-version": booleanInput("failByCvss") ? (optionalInput("cvssVersion") ?? "max") : undefined,
      "fail-on-pci": booleanInput("failOnPci") || undefined,
      "include-potential": booleanInput("includePotential") || undefined,
      "exclude-cves": optionalInput("excludeCves"),
    }),
});
