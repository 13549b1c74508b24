/**
 * The action's entry (action.yml `main: dist/index.js`, bundled by scripts/build-action.ts): read the inputs, mask
 * the secrets, run the WAS or VM gate against Qualys, write the five outputs, set the step outputs and the job
 * summary, and end the step from the verdict: passed succeeds, failed and error fail (exit 1 with an `::error::`
 * annotation), incomplete fails or warns as `incomplete-as` says.
 */

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  createQualysClient,
  knownSecrets,
  type QualysClient,
  redact,
  systemClock,
} from "@qualys-connector/client";
import {
  countCalls,
  describeError,
  EXIT_CODES,
  type GateResult,
  INPUT_OF_OPTION,
  OUTPUT_FILES,
  progressLines,
  redactGateResult,
  runVmGate,
  runWasGate,
  ToolError,
  vmGateApi,
  WebAppLookupError,
  wasGateApi,
  writeGateOutputs,
} from "@qualys-connector/gate";
import manifest from "../package.json" with { type: "json" };
import { ActionInputError, type ActionInputs, readActionInputs } from "./inputs.js";
import { appendStepSummary, fitSummary } from "./job-summary.js";
import {
  type Env,
  logText,
  setOutputs,
  type Write,
  workflowCommand,
  writeStdout,
} from "./workflow-commands.js";

/** The action's identity in result.json. */
const TOOL = { name: "qualys-connector-github-action", version: manifest.version };

/** A library option as the input that sets it (`webApp` -> `webapp`); the client's options too. */
const CLIENT_INPUT: Readonly<Record<string, string>> = {
  apiUrl: "api-url",
  platform: "platform",
  gatewayUrl: "gateway-url",
  proxy: "proxy",
  caFile: "ca-file",
  timeoutMs: "request-timeout",
};
const inputOf = (option: string) => INPUT_OF_OPTION[option] ?? CLIENT_INPUT[option] ?? option;

/** An error's message in the action's words: options the libraries name are written as inputs. */
function messageOf(error: unknown): string {
  if (error instanceof ActionInputError) return error.message;
  if (error instanceof ToolError || error instanceof WebAppLookupError) return error.messageWith(inputOf);
  if (error instanceof Error && "messageWith" in error && typeof error.messageWith === "function")
    return String((error.messageWith as (name: (option: string) => string) => unknown)(inputOf));
  return describeError(error).message;
}

/** The verdict's counts by severity as the `counts` output: `{"1":0,…,"5":2}`. */
function countsJson(result: GateResult): string {
  return JSON.stringify(Object.fromEntries(result.severityCounts.counted.map((n, i) => [String(i + 1), n])));
}

/** Run the gate the inputs name; resolves with its result (the action always waits for one). */
async function runGate(
  inputs: ActionInputs,
  client: QualysClient,
  signals: { signal: AbortSignal; forceSignal: AbortSignal },
  write: Write,
): Promise<GateResult> {
  const apiCalls: Record<string, number> = {};
  const shell = {
    ...signals,
    clock: systemClock,
    progress: progressLines((line) => logText(write, line)),
    tool: TOOL,
    optionName: inputOf,
  };
  const outcome =
    inputs.was !== undefined
      ? await runWasGate(
          wasGateApi(client, countCalls(apiCalls)),
          { ...inputs.was, ...shell },
          inputs.policy,
          inputs.baseline,
          apiCalls,
        )
      : inputs.vm !== undefined
        ? await runVmGate(
            vmGateApi(client, countCalls(apiCalls)),
            { ...inputs.vm, ...shell },
            inputs.policy,
            inputs.baseline,
            apiCalls,
          )
        : undefined;
  if (outcome === undefined || "kind" in outcome)
    throw new Error("the gate returned no verdict, but the action always waits for one");
  return outcome;
}

/**
 * Write the outputs, hand them to the runner and return the process exit code: 0 for passed (and for incomplete
 * with `incomplete-as: warning`), 1 otherwise.
 */
function finish(
  result: GateResult,
  inputs: ActionInputs,
  secrets: readonly string[],
  env: Env,
  write: Write,
): number {
  let paths: ReturnType<typeof writeGateOutputs>;
  try {
    paths = writeGateOutputs(result, inputs.reportDir, { secrets });
  } catch (error) {
    throw new ActionInputError(
      `report-dir: cannot write the outputs to ${inputs.reportDir} (${(error as Error).message}); the verdict was: ${result.reason}`,
    );
  }
  logText(write, `outputs: ${Object.values(paths).join(", ")}`);
  setOutputs(env, [
    ["verdict", result.verdict],
    ["exit-code", String(result.exitCode)],
    ["counts", countsJson(result)],
    ["scan-id", result.scan?.id ?? ""],
    ["report-dir", path.dirname(paths.json)],
    ["result-path", paths.json],
    ["sarif-path", paths.sarif],
    ["report-path", paths.html],
  ]);
  const hint = `${OUTPUT_FILES.html} and ${OUTPUT_FILES.json} in the \`report-dir\` output (${path.dirname(paths.json)}); upload them with actions/upload-artifact`;
  appendStepSummary(env.GITHUB_STEP_SUMMARY, fitSummary(readFileSync(paths.markdown, "utf8"), hint));
  for (const warning of result.warnings)
    write(workflowCommand("warning", warning, { title: "Qualys scan gate" }));
  if (result.scan?.portalUrl) logText(write, `scan report in the Qualys portal: ${result.scan.portalUrl}`);
  const title = `Qualys ${inputs.gate.toUpperCase()} scan gate: ${result.verdict}`;
  if (result.verdict === "passed") {
    logText(write, result.reason);
    return 0;
  }
  if (result.verdict === "incomplete" && inputs.incompleteAs === "warning") {
    write(workflowCommand("warning", `${result.reason} (incomplete-as: warning)`, { title }));
    return 0;
  }
  write(workflowCommand("error", result.reason, { title }));
  return 1;
}

/**
 * The whole step; resolves with the process exit code and never rejects: every problem ends as an `::error::`
 * annotation, the outputs `verdict: error` and `exit-code: 3`, and exit 1.
 */
export async function runAction(env: Env, write: Write = writeStdout): Promise<number> {
  const abort = new AbortController();
  const force = new AbortController();
  // The runner sends SIGINT when the run is cancelled, then SIGTERM: the first cancels the scan this run launched
  // and still writes the outputs; the next stops the cancel call too.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!abort.signal.aborted) {
      logText(write, `${signal} received: cancelling the scan and writing the outputs`);
      abort.abort(`${signal} received`);
    } else force.abort(`${signal} received again`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let client: QualysClient | undefined;
  let secrets: string[] = [];
  let gate = "";
  try {
    // The secrets are masked first, before any line that could hold one is written.
    for (const name of ["INPUT_PASSWORD", "INPUT_CLIENT-SECRET"]) {
      const value = env[name];
      if (value !== undefined && value !== "") secrets.push(value);
    }
    for (const secret of secrets) write(workflowCommand("add-mask", secret));
    const inputs = readActionInputs(env, new Date());
    gate = inputs.gate.toUpperCase();
    for (const secret of knownSecrets(inputs.client))
      if (!secrets.includes(secret)) {
        secrets.push(secret);
        write(workflowCommand("add-mask", secret));
      }
    // The report folder is made before the scan, so a folder that cannot be written costs no scan.
    try {
      mkdirSync(inputs.reportDir, { recursive: true });
    } catch (error) {
      throw new ActionInputError(
        `report-dir: cannot create ${inputs.reportDir} (${(error as Error).message})`,
      );
    }
    client = createQualysClient({ ...inputs.client });
    const unsafe = await runGate(inputs, client, { signal: abort.signal, forceSignal: force.signal }, write);
    secrets = [...new Set([...secrets, ...client.secrets()])];
    return finish(redactGateResult(unsafe, secrets), inputs, secrets, env, write);
  } catch (error) {
    try {
      setOutputs(env, [
        ["verdict", "error"],
        ["exit-code", String(EXIT_CODES.error)],
      ]);
    } catch {
      // The annotation below still fails the step.
    }
    const title = gate === "" ? "Qualys scan gate: error" : `Qualys ${gate} scan gate: error`;
    write(workflowCommand("error", redact(messageOf(error), secrets), { title }));
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
