/**
 * What both pipeline tasks share: read the service connection and the criteria, run a scan gate with a client
 * that stops on SIGINT/SIGTERM (the gate then cancels the scan it launched and still returns a result), write the
 * gate's outputs, hand them to the agent (a typed build attachment for the results views, the summary, output
 * variables) and set the task result from the verdict.
 */

import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createQualysClient, type QualysClient, systemClock } from "@qualys-connector/client";
import {
  type Baseline,
  countCalls,
  defaultScanNameTemplate,
  describeError,
  detectCi,
  type GateResult,
  type GateRunner,
  type LongScanOptions,
  logSafe,
  type Policy,
  progressLines,
  redactGateResult,
  renderScanName,
  ScanNameError,
  ToolError,
  writeGateOutputs,
} from "@qualys-connector/gate";
import * as tl from "azure-pipelines-task-lib/task";
import manifest from "../package.json" with { type: "json" };
import { readConnection } from "./connection.js";
import { optionalInput, TaskInputError } from "./inputs.js";

/** The attachment type the build results section and the "Qualys" tab read. */
export const RESULT_ATTACHMENT_TYPE = "qualys-gate-result";

/** The input that names the Qualys service connection, in both tasks. */
export const CONNECTION_INPUT = "qualysConnection";

/** The task's own identity in result.json. */
const TOOL = { name: "qualys-connector-azure-devops", version: manifest.version };

/** The runner options the shell sets for every task. */
type ShellOptions = Pick<
  LongScanOptions,
  "scanName" | "clock" | "signal" | "forceSignal" | "progress" | "tool" | "optionName"
>;

/** What differs between the WAS and the VM task. */
export interface GateTask<Api, Options> {
  /** The task's name in task.json (QualysWasScan, QualysVmScan), for the attachment's name. */
  name: string;
  /** The client's authentication with a username and password. */
  userAuth: "basic" | "session";
  /** The gate's API over the client. */
  api: (client: QualysClient, count: (purpose: string) => void) => Api;
  run: GateRunner<Api, Options, GateResult | { kind: "launched" }>;
  /** The runner's options from the task's inputs; the shell adds the scan name, clock, signals and progress. */
  options: () => Omit<Options, keyof ShellOptions>;
  /** The criteria and baseline from the task's inputs. */
  policy: () => { policy: Policy; baseline: Baseline | undefined };
}

/** Write one line to the job log; scanned data in it is made log-safe (no logging command can form). */
function log(text: string): void {
  process.stdout.write(`${logSafe(text)}\n`);
}

/** The scan name input (macros already expanded by the agent), with a timestamp appended by the gate. */
function scanNameInput(): string {
  const ci = detectCi(process.env);
  try {
    return renderScanName(optionalInput("scanName") ?? defaultScanNameTemplate(ci.ci), ci, new Date());
  } catch (error) {
    if (error instanceof ScanNameError) throw new TaskInputError(error.messageWith(() => "scanName"));
    throw error;
  }
}

/** Where the outputs go: the input, or a folder of this task instance under the agent's temp directory. */
function reportDirectory(instance: string): string {
  const given = optionalInput("reportDirectory");
  if (given !== undefined) return path.resolve(given);
  const temp = tl.getVariable("Agent.TempDirectory") ?? os.tmpdir();
  return path.join(temp, "qualys", instance);
}

/**
 * The task result for a verdict: passed -> Succeeded (SucceededWithIssues when a criterion only warned, e.g. an
 * incomplete scan the user asked to be a warning); failed, incomplete and error -> Failed.
 */
function taskResultOf(result: GateResult): tl.TaskResult {
  if (result.verdict !== "passed") return tl.TaskResult.Failed;
  const warned = result.criteria.some((c) => c.outcome === "warn") || result.incomplete !== undefined;
  return warned ? tl.TaskResult.SucceededWithIssues : tl.TaskResult.Succeeded;
}

/** Run one gate task; never throws: every problem ends as a task result with a log-safe message. */
export async function runGateTask<Api, Options>(task: GateTask<Api, Options>): Promise<void> {
  const abort = new AbortController();
  const force = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!abort.signal.aborted) {
      log(`${signal} received: cancelling the scan and writing the outputs`);
      abort.abort(`${signal} received`);
    } else force.abort(`${signal} received again`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let client: QualysClient | undefined;
  try {
    const connection = readConnection(CONNECTION_INPUT, task.userAuth);
    const { policy, baseline } = task.policy();
    const scanName = scanNameInput();
    const options = task.options();
    const instance = tl.getVariable("System.TaskInstanceId") ?? randomUUID();
    const reportDir = reportDirectory(instance);
    client = createQualysClient({ ...connection.client });
    const apiCalls: Record<string, number> = {};
    const api = task.api(client, countCalls(apiCalls));
    const shell: ShellOptions = {
      scanName,
      clock: systemClock,
      signal: abort.signal,
      forceSignal: force.signal,
      progress: progressLines(log),
      tool: TOOL,
      optionName: (option: string) => option,
    };
    const outcome = await task.run(
      api,
      // The task's part and the shell's part make the whole of the runner's options.
      { ...options, ...shell } as Options,
      policy,
      baseline,
      apiCalls,
    );
    if ("kind" in outcome) throw new Error("the gate returned a launched scan, but the task always waits");
    finish(redactGateResult(outcome, connection.secrets), reportDir, task.name, instance, connection.secrets);
  } catch (error) {
    const message =
      error instanceof TaskInputError
        ? error.message
        : error instanceof ToolError
          ? error.messageWith((option) => option)
          : describeError(error).message;
    tl.setVariable("verdict", "error", false, true);
    tl.setVariable("exitCode", "3", false, true);
    tl.setResult(tl.TaskResult.Failed, logSafe(message));
  } finally {
    await client?.close().catch(() => undefined);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Write the outputs, hand them to the agent and set the task result. */
function finish(
  result: GateResult,
  reportDir: string,
  taskName: string,
  instance: string,
  secrets: readonly string[],
): void {
  const paths = writeGateOutputs(result, reportDir, { secrets });
  log(`outputs: ${Object.values(paths).join(", ")}`);
  // One attachment per task instance, so two Qualys steps in a job do not overwrite each other's results.
  tl.addAttachment(RESULT_ATTACHMENT_TYPE, `${taskName}-${instance}.json`, paths.json);
  tl.uploadSummary(paths.markdown);
  const counted = result.severityCounts.counted;
  const outputs: [string, string][] = [
    ["verdict", result.verdict],
    ["exitCode", String(result.exitCode)],
    ["scanId", result.scan?.id ?? ""],
    ["resultPath", paths.json],
    ["reportDirectory", path.dirname(paths.json)],
    ...counted.map((n, i): [string, string] => [`severity${i + 1}Count`, String(n)]),
  ];
  for (const [name, value] of outputs) tl.setVariable(name, value, false, true);
  for (const warning of result.warnings) tl.warning(logSafe(warning));
  if (result.scan?.portalUrl) log(`scan report in the Qualys portal: ${result.scan.portalUrl}`);
  tl.setResult(taskResultOf(result), logSafe(result.reason));
}
