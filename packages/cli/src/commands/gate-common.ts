/**
 * What `scan was`, `scan vm` and `evaluate` share: the policy flags, loading the policy and baseline, and ending
 * a run (write every output, announce the summary to the CI system, print the verdict last, exit with its code).
 */

import {
  announceSummary,
  type Baseline,
  BaselineError,
  type GateResult,
  loadPolicyFile,
  normalizePolicy,
  type Policy,
  PolicyError,
  publishStepOutputs,
  readBaseline,
  renderJson,
  writeGateOutputs,
} from "@qualys-connector/gate";
import type { Command } from "commander";
import { CommandExit, EXIT, UsageError } from "../exit-codes.js";

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
}

/** The criteria and output flags of every gate command. */
export function addPolicyOptions(command: Command): Command {
  return command
    .option(
      "--policy <file>",
      "policy file (YAML or JSON; schema in packages/gate/schema/policy.schema.json)",
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
      "qualys-results",
    )
    .option("--format <format>", "console output: text, or json (prints result.json to stdout)", "text");
}

/** Policy and baseline from the flags; errors become UsageErrors (exit 3) naming the input. */
export function loadPolicy(flags: PolicyOptionFlags): { policy: Policy; baseline: Baseline | undefined } {
  if (flags.format !== "text" && flags.format !== "json")
    throw new UsageError(`--format: "${flags.format}" must be text or json`);
  try {
    const file = flags.policy !== undefined ? loadPolicyFile(flags.policy) : undefined;
    const policy = normalizePolicy(
      {
        maxSeverityCount: flags.maxSeverityCount,
        minSeverity: flags.minSeverity,
        failOnQids: flags.failOnQids,
        excludeQids: flags.excludeQids,
        onIncomplete: flags.onIncomplete,
        baseline: flags.baseline,
      },
      file,
    );
    const baseline = policy.baselinePath !== undefined ? readBaseline(policy.baselinePath) : undefined;
    return { policy, baseline };
  } catch (error) {
    if (error instanceof PolicyError || error instanceof BaselineError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Write the outputs, announce them, print the verdict as the last line and end with the verdict's exit code.
 * If the outputs cannot be written, that is a tool error (exit 3) whatever the verdict was.
 */
export function endGateRun(
  result: GateResult,
  flags: Pick<PolicyOptionFlags, "reportDir" | "format">,
): never {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let markdownPath: string | undefined;
  try {
    const paths = writeGateOutputs(result, flags.reportDir);
    markdownPath = paths.markdown;
    err(`outputs: ${Object.values(paths).join(", ")}`);
  } catch (error) {
    throw new CommandExit(
      EXIT.error,
      `--report-dir ${flags.reportDir}: cannot write the outputs (${(error as Error).message}); verdict was: ${result.reason}`,
    );
  }
  for (const line of [
    ...announceSummary(markdownPath, process.env),
    ...publishStepOutputs(result, flags.reportDir, process.env),
  ])
    process.stdout.write(`${line}\n`);
  for (const warning of result.warnings) err(`warning: ${warning}`);
  if (result.scan?.portalUrl) err(`scan report in the Qualys portal: ${result.scan.portalUrl}`);
  if (flags.format === "json") process.stdout.write(renderJson(result));
  else process.stdout.write(`${result.reason}\n`);
  throw new CommandExit(result.exitCode);
}
