/**
 * The scan gates' inputs as users type them, turned into the runners' options: one home for `qualys-connector
 * scan was` / `scan vm` (flags `--webapp`) and the GitHub Action (inputs `webapp`). Values are keyed by the input's
 * kebab-case name; `name` writes that name as the caller's user knows it, and every bad value is a
 * ScanInputError whose message starts with it.
 */

import { type Baseline, BaselineError, readBaseline } from "./baseline.js";
import { DurationError, parseDuration } from "./duration.js";
import { loadPolicyFile, normalizePolicy, type Policy, PolicyError } from "./policy.js";
import type { VmGateOptions } from "./run-vm-gate.js";
import type { WasGateOptions } from "./run-was-gate.js";
import { defaultScanNameTemplate, detectCi, renderScanName, ScanNameError } from "./scan-name.js";

/** A scan input that cannot be used; the message names the input as the caller's `name` writes it. */
export class ScanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScanInputError";
  }
}

/** Writes an input's kebab-case name (`webapp`) as the user knows it: `--webapp` for the CLI. */
export type InputName = (input: string) => string;

/**
 * The defaults of the scan inputs, by gate: the CLI's flag defaults and the action's empty inputs. Poll interval
 * and timeout differ by gate (a WAS scan runs for hours, a VM scan of a few hosts for minutes).
 */
export const SCAN_INPUT_DEFAULTS = {
  was: {
    type: "VULNERABILITY",
    "auth-record": "none",
    "option-profile": "default",
    scanner: "external",
    "poll-interval": "5m",
    timeout: "24h",
    "on-timeout": "cancel",
    "on-running": "attach",
    "max-poll-failures": "5",
  },
  vm: {
    scanner: "external",
    "poll-interval": "2m",
    timeout: "2h",
    "on-timeout": "cancel",
    "max-poll-failures": "5",
  },
} as const;

/**
 * The gate's option names (those normalizePolicy takes, and those the runners' errors and reasons name) as the
 * kebab-case inputs that set them; the CLI writes them with `--`, the GitHub Action as they are.
 */
export const INPUT_OF_OPTION: Readonly<Record<string, string>> = {
  policyFile: "policy",
  maxSeverityCount: "max-severity-count",
  minSeverity: "min-severity",
  failOnQids: "fail-on-qids",
  excludeQids: "exclude-qids",
  failOnCves: "fail-on-cves",
  excludeCves: "exclude-cves",
  failOnCvss: "fail-on-cvss",
  cvssVersion: "cvss-version",
  failOnPci: "fail-on-pci",
  includePotential: "include-potential",
  onIncomplete: "on-incomplete",
  baseline: "baseline",
  scanName: "scan-name",
  webApp: "webapp",
  scanId: "scan-id",
  scanRef: "scan-ref",
  onRunning: "on-running",
  onTimeout: "on-timeout",
  "ec2.connector": "ec2-connector",
  "ec2.runConnector": "run-connector",
};

/** An option's name in a library message, as `name` writes its input; an option without an input keeps its name. */
function optionAsInput(name: InputName): (option: string) => string {
  return (option) => {
    const input = INPUT_OF_OPTION[option];
    return input === undefined ? option : name(input);
  };
}

/** The options a caller sets itself rather than from the inputs. */
type ShellOptions = "clock" | "signal" | "forceSignal" | "progress" | "tool" | "optionName";

/** A whole number within bounds; `label` names the input in the error message. */
export function parseWholeNumber(
  value: string,
  label: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw new ScanInputError(`${label}: "${value}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max)
    throw new ScanInputError(
      `${label}: ${n} is out of range; expected ${min}${max === Number.MAX_SAFE_INTEGER ? " or more" : ` to ${max}`}`,
    );
  return n;
}

/** One of `allowed`, matched without regard to case; `label` names the input in the error message. */
export function parseChoice<T extends string>(value: string, label: string, allowed: readonly T[]): T {
  const text = value.trim();
  const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!match) throw new ScanInputError(`${label}: "${value}" must be one of ${allowed.join(", ")}`);
  return match;
}

/** The timing and name inputs both gates share. */
export interface ScanTimingInputs {
  "poll-interval": string;
  timeout: string;
  "scan-name"?: string | undefined;
}

/**
 * Poll interval and timeout (`30s`, `5m`, `24h`, or minutes such as `60*24`; at least a second, the timeout no
 * shorter than the interval).
 */
export function scanDurations(
  values: Pick<ScanTimingInputs, "poll-interval" | "timeout">,
  name: InputName,
): { pollIntervalMs: number; timeoutMs: number } {
  const duration = (input: "poll-interval" | "timeout") => {
    try {
      return parseDuration(values[input], name(input), "m");
    } catch (error) {
      if (error instanceof DurationError) throw new ScanInputError(error.message);
      throw error;
    }
  };
  const pollIntervalMs = duration("poll-interval");
  const timeoutMs = duration("timeout");
  if (pollIntervalMs < 1000)
    throw new ScanInputError(`${name("poll-interval")}: "${values["poll-interval"]}" is under 1 second`);
  if (timeoutMs < pollIntervalMs)
    throw new ScanInputError(
      `${name("timeout")}: "${values.timeout}" is shorter than ${name("poll-interval")} "${values["poll-interval"]}"`,
    );
  return { pollIntervalMs, timeoutMs };
}

/** `scanDurations`, and the scan name rendered from its template for the CI system `env` describes. */
export function scanTimingOptions(
  values: ScanTimingInputs,
  name: InputName,
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): { pollIntervalMs: number; timeoutMs: number; scanName: string } {
  const { pollIntervalMs, timeoutMs } = scanDurations(values, name);
  const ci = detectCi(env);
  try {
    return {
      pollIntervalMs,
      timeoutMs,
      scanName: renderScanName(values["scan-name"] ?? defaultScanNameTemplate(ci.ci), ci, now),
    };
  } catch (error) {
    if (error instanceof ScanNameError) throw new ScanInputError(error.messageWith(optionAsInput(name)));
    throw error;
  }
}

/** The WAS gate's inputs (`scan was` flags); absent optional inputs are undefined. */
export interface WasScanInputs extends ScanTimingInputs {
  webapp?: string | undefined;
  "scan-id"?: string | undefined;
  type: string;
  "auth-record": string;
  "option-profile": string;
  scanner: string;
  "cancel-after-hours"?: string | undefined;
  "on-timeout": string;
  "on-running": string;
  "max-poll-failures": string;
  /** False: launch and return the scan without waiting (`--no-wait`). */
  wait: boolean;
}

/** The WAS gate's options from its inputs. */
export function wasScanOptions(
  values: WasScanInputs,
  name: InputName,
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): Omit<WasGateOptions, ShellOptions> {
  if (values.webapp === undefined && values["scan-id"] === undefined)
    throw new ScanInputError(
      `${name("webapp")} is required (a web app id or exact name), unless ${name("scan-id")} is given`,
    );
  const authRecordText = values["auth-record"].trim().toLowerCase();
  const authRecord: WasGateOptions["authRecord"] =
    authRecordText === "none" || authRecordText === "default"
      ? authRecordText
      : { id: parseWholeNumber(values["auth-record"], `${name("auth-record")} (none, default or an id)`, 1) };
  const profileText = values["option-profile"].trim().toLowerCase();
  const optionProfileId =
    profileText === "default"
      ? undefined
      : parseWholeNumber(values["option-profile"], `${name("option-profile")} (default or an id)`, 1);
  const scannerText = values.scanner.trim();
  if (scannerText === "")
    throw new ScanInputError(`${name("scanner")}: give external, internal or a scanner appliance name`);
  const scanner: WasGateOptions["scanner"] =
    scannerText.toLowerCase() === "external"
      ? { type: "EXTERNAL" }
      : scannerText.toLowerCase() === "internal"
        ? { type: "INTERNAL" }
        : { type: "INTERNAL", friendlyName: scannerText };
  const { pollIntervalMs, timeoutMs, scanName } = scanTimingOptions(values, name, env, now);
  const cancelAfterHours = values["cancel-after-hours"];
  const scanId = values["scan-id"];
  return {
    webApp: values.webapp,
    scanId: scanId !== undefined ? parseWholeNumber(scanId, name("scan-id"), 1) : undefined,
    scanName,
    type: parseChoice(values.type, name("type"), ["VULNERABILITY", "DISCOVERY"] as const),
    authRecord,
    optionProfileId,
    scanner,
    // Qualys accepts 1 to 24 hours (the cancel-hours check of Qualys' Jenkins WAS connector).
    cancelAfterHours:
      cancelAfterHours !== undefined
        ? parseWholeNumber(cancelAfterHours, name("cancel-after-hours"), 1, 24)
        : undefined,
    pollIntervalMs,
    timeoutMs,
    onTimeout: parseChoice(values["on-timeout"], name("on-timeout"), [
      "cancel",
      "leave",
      "cancel-attached",
    ] as const),
    onRunning: parseChoice(values["on-running"], name("on-running"), [
      "attach",
      "wait",
      "cancel",
      "fail",
    ] as const),
    maxPollFailures: parseWholeNumber(values["max-poll-failures"], name("max-poll-failures"), 1, 1000),
    noWait: !values.wait,
  };
}

/** The VM gate's inputs (`scan vm` flags); lists are given as entries, each of which may hold commas. */
export interface VmScanInputs extends ScanTimingInputs {
  ip: readonly string[];
  network?: string | undefined;
  "ec2-instance": readonly string[];
  "ec2-connector"?: string | undefined;
  "ec2-endpoint"?: string | undefined;
  "run-connector"?: boolean | undefined;
  "scan-ref"?: string | undefined;
  "option-profile"?: string | undefined;
  scanner: string;
  "on-timeout": string;
  "max-poll-failures": string;
  /** False: launch and return the scan without waiting (`--no-wait`). */
  wait: boolean;
}

/** `10.0.0.1, 10.0.0.2` or several entries; each entry trimmed and checked, duplicates dropped. */
function listOf(values: readonly string[], label: string, valid: RegExp, expected: string): string[] {
  const entries = values.flatMap((v) => v.split(","));
  const problems: string[] = [];
  const out: string[] = [];
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === "") problems.push(`entry ${index + 1} is empty`);
    else if (!valid.test(entry)) problems.push(`"${entry}" is not ${expected}`);
    else out.push(entry);
  });
  if (problems.length > 0) throw new ScanInputError(`${label}: ${problems.join("; ")}`);
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

/** The VM gate's options from its inputs. */
export function vmScanOptions(
  values: VmScanInputs,
  name: InputName,
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): Omit<VmGateOptions, ShellOptions> {
  const ips = listOf(
    values.ip,
    name("ip"),
    IP_OR_RANGE,
    "an IPv4 address or range such as 10.0.0.1-10.0.0.9",
  );
  const backwards = ips.filter((entry) => {
    const [start = "", end] = entry.split("-");
    return end !== undefined && ipNumber(start) > ipNumber(end);
  });
  if (backwards.length > 0)
    throw new ScanInputError(
      `${name("ip")}: ${backwards.map((r) => `"${r}"`).join(", ")} ends before it starts; give the lower address first`,
    );
  const instanceIds = listOf(
    values["ec2-instance"],
    name("ec2-instance"),
    INSTANCE,
    "an EC2 instance id such as i-0abc12345678def90",
  );
  const connector = values["ec2-connector"];
  const endpoint = values["ec2-endpoint"];
  const network = values.network;
  const scanRef = values["scan-ref"];
  const targets = [ips.length > 0, instanceIds.length > 0].filter(Boolean).length;
  if (scanRef === undefined && targets === 0)
    throw new ScanInputError(
      `give ${name("ip")} ADDRESS or ${name("ec2-instance")} ID (or ${name("scan-ref")} REF to gate an existing scan)`,
    );
  if (targets > 1)
    throw new ScanInputError(`${name("ip")} and ${name("ec2-instance")}: give one kind of target, not both`);
  if (instanceIds.length > 0 && (!connector?.trim() || !endpoint?.trim()))
    throw new ScanInputError(
      `${name("ec2-instance")} needs ${name("ec2-connector")} NAME|ID and ${name("ec2-endpoint")} REGION`,
    );
  if (instanceIds.length === 0 && (connector || endpoint || values["run-connector"]))
    throw new ScanInputError(
      `${name("ec2-connector")}, ${name("ec2-endpoint")} and ${name("run-connector")} need ${name("ec2-instance")}`,
    );
  if (network !== undefined && instanceIds.length > 0)
    throw new ScanInputError(`${name("network")} applies to ${name("ip")} targets, not to EC2 instances`);
  if (scanRef !== undefined && !/^scan\/\d+\.\d+$/.test(scanRef.trim()))
    throw new ScanInputError(
      `${name("scan-ref")}: "${scanRef}" is not a VM scan reference such as scan/1764590400.12345`,
    );
  const profile = values["option-profile"]?.trim();
  const scannerText = values.scanner.trim();
  if (scannerText === "")
    throw new ScanInputError(`${name("scanner")}: give external, all-in-network or a scanner appliance name`);
  const scanner: VmGateOptions["scanner"] =
    scannerText.toLowerCase() === "external"
      ? { kind: "external" }
      : scannerText.toLowerCase() === "all-in-network"
        ? { kind: "all-in-network" }
        : { kind: "name", name: scannerText };
  if (scanner.kind === "all-in-network" && instanceIds.length > 0)
    throw new ScanInputError(
      `${name("scanner")} all-in-network applies to ${name("ip")} targets only (as in Qualys' Jenkins connector)`,
    );
  const { pollIntervalMs, timeoutMs, scanName } = scanTimingOptions(values, name, env, now);
  return {
    ips,
    networkId: network !== undefined ? parseWholeNumber(network, name("network"), 0) : undefined,
    ec2:
      instanceIds.length > 0
        ? {
            instanceIds,
            connector: connector?.trim() ?? "",
            endpoint: endpoint?.trim() ?? "",
            runConnector: values["run-connector"] ?? false,
          }
        : undefined,
    scanRef: scanRef?.trim(),
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
    onTimeout: parseChoice(values["on-timeout"], name("on-timeout"), [
      "cancel",
      "leave",
      "cancel-attached",
    ] as const),
    maxPollFailures: parseWholeNumber(values["max-poll-failures"], name("max-poll-failures"), 1, 1000),
    noWait: !values.wait,
  };
}

/** The criteria inputs of both gates (the VM ones are ignored by the WAS gate's evaluation). */
export interface PolicyInputs {
  policy?: string | undefined;
  "max-severity-count"?: string | undefined;
  "min-severity"?: string | undefined;
  "fail-on-qids"?: string | undefined;
  "exclude-qids"?: string | undefined;
  "on-incomplete"?: string | undefined;
  baseline?: string | undefined;
  "fail-on-cves"?: string | undefined;
  "fail-on-cvss"?: string | undefined;
  "cvss-version"?: string | undefined;
  "fail-on-pci"?: boolean | undefined;
  "include-potential"?: boolean | undefined;
  "exclude-cves"?: string | undefined;
}

/**
 * The policy from the criteria inputs, merged over the policy file when one is given, and the baseline it names;
 * problems become a ScanInputError naming the inputs.
 */
export function policyFromInputs(
  values: PolicyInputs,
  name: InputName,
): { policy: Policy; baseline: Baseline | undefined } {
  try {
    const file = values.policy !== undefined ? loadPolicyFile(values.policy) : undefined;
    const policy = normalizePolicy(
      {
        maxSeverityCount: values["max-severity-count"],
        minSeverity: values["min-severity"],
        failOnQids: values["fail-on-qids"],
        excludeQids: values["exclude-qids"],
        onIncomplete: values["on-incomplete"],
        baseline: values.baseline,
        failOnCves: values["fail-on-cves"],
        failOnCvss: values["fail-on-cvss"],
        cvssVersion: values["cvss-version"],
        failOnPci: values["fail-on-pci"],
        includePotential: values["include-potential"],
        excludeCves: values["exclude-cves"],
      },
      file,
    );
    const baseline = policy.baselinePath !== undefined ? readBaseline(policy.baselinePath) : undefined;
    return { policy, baseline };
  } catch (error) {
    if (error instanceof PolicyError || error instanceof BaselineError)
      throw new ScanInputError(error.messageWith(optionAsInput(name)));
    throw error;
  }
}
