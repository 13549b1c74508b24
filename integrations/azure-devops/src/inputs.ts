/**
 * Task inputs: reading them, and turning the form's criteria into the gate's policy. A bad value is a
 * TaskInputError whose message starts with the input's name, as the classic editor labels it in task.json.
 */

import {
  type Baseline,
  type Policy,
  type PolicyInputs,
  policyFromInputs,
  ScanInputError,
  scanDurations,
} from "@qualys-connector/gate";
import * as tl from "azure-pipelines-task-lib/task";

/** A task input that cannot be used; the message names the input. */
export class TaskInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskInputError";
  }
}

/** A trimmed input, or undefined when empty. */
export function optionalInput(name: string): string | undefined {
  const value = tl.getInput(name, false)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function requiredInput(name: string): string {
  const value = optionalInput(name);
  if (value === undefined) throw new TaskInputError(`${name}: required, but empty`);
  return value;
}

export function booleanInput(name: string): boolean {
  return tl.getBoolInput(name, false);
}

/** A whole number within bounds. */
export function integerInput(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = requiredInput(name);
  if (!/^\d+$/.test(text)) throw new TaskInputError(`${name}: "${text}" is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new TaskInputError(`${name}: ${value} is not within ${min}-${max}`);
  return value;
}

/** One of the values a pick list offers. */
export function choiceInput<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const text = optionalInput(name) ?? fallback;
  const match = choices.find((choice) => choice.toLowerCase() === text.toLowerCase());
  if (match === undefined)
    throw new TaskInputError(`${name}: "${text}" must be one of ${choices.join(", ")}`);
  return match;
}

/**
 * The form's "Timeout Settings": how often to check and how long to wait, in minutes as the form asks (`5`,
 * `60*24`) or with a unit (`30s`, `2h`).
 */
export function timingInputs(defaults: { poll: string; timeout: string }): {
  pollIntervalMs: number;
  timeoutMs: number;
} {
  const taskInput: Readonly<Record<string, string>> = {
    "poll-interval": "pollingFrequency",
    timeout: "timeout",
  };
  try {
    return scanDurations(
      {
        "poll-interval": optionalInput("pollingFrequency") ?? defaults.poll,
        timeout: optionalInput("timeout") ?? defaults.timeout,
      },
      (input) => taskInput[input] ?? input,
    );
  } catch (error) {
    if (error instanceof ScanInputError) throw new TaskInputError(error.message);
    throw error;
  }
}

/** The gate's scan inputs (policyFromInputs' keys) as the task's inputs, for error messages. */
const TASK_INPUT_OF: Readonly<Record<string, string>> = {
  "max-severity-count": "severity limits (sev1Count to sev5Count)",
  "fail-on-qids": "qidList",
  "exclude-qids": "excludeQids",
  "on-incomplete": "failOnScanNotComplete",
  baseline: "baselineFile",
  policy: "policyFile",
  "fail-on-cves": "cveList",
  "fail-on-cvss": "cvssScore",
  "cvss-version": "cvssVersion",
  "exclude-cves": "excludeCves",
};
const taskInputOf = (input: string) => TASK_INPUT_OF[input] ?? input;

/**
 * "Build Failure Conditions By Vulnerability Severity": each ticked severity with its limit, as the gate's
 * `maxSeverityCount` (`5=0,4=2`).
 */
function severityLimits(): string | undefined {
  const rules: string[] = [];
  for (const severity of [5, 4, 3, 2, 1]) {
    if (booleanInput(`failBySev${severity}`))
      rules.push(`${severity}=${integerInput(`sev${severity}Count`, 0)}`);
  }
  return rules.length > 0 ? rules.join(",") : undefined;
}

/** The VM task's own criteria, by the gate's scan input names. */
export type VmCriteria = Pick<
  PolicyInputs,
  "fail-on-cves" | "fail-on-cvss" | "cvss-version" | "fail-on-pci" | "include-potential" | "exclude-cves"
>;

/**
 * The policy from the form's criteria (and the VM criteria in `extra`), merged over the policy file when one is
 * given, and the baseline it names (the gate's policyFromInputs); problems become a TaskInputError naming the
 * inputs.
 */
export function policyInputs(extra: VmCriteria = {}): { policy: Policy; baseline: Baseline | undefined } {
  try {
    return policyFromInputs(
      {
        ...extra,
        "max-severity-count": severityLimits(),
        "fail-on-qids": booleanInput("failByQids") ? requiredInput("qidList") : undefined,
        "exclude-qids": optionalInput("excludeQids"),
        // Unset (a YAML step run outside the agent's defaults) fails, as the form's default does.
        "on-incomplete":
          (optionalInput("failOnScanNotComplete") ?? "true").toLowerCase() === "true" ? "fail" : "warn",
        baseline: optionalInput("baselineFile"),
        policy: optionalInput("policyFile"),
      },
      taskInputOf,
    );
  } catch (error) {
    if (error instanceof ScanInputError) throw new TaskInputError(error.message);
    throw error;
  }
}
