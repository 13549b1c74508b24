/**
 * The few parts of the GitHub Actions toolkit this action needs, written against GitHub's documented formats
 * instead of bundling @actions/core: inputs from `INPUT_*`, workflow commands with escaped values, step outputs
 * through `$GITHUB_OUTPUT` (the gate's `githubOutputEntry`) and the job summary through `$GITHUB_STEP_SUMMARY`.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */

import { appendFileSync } from "node:fs";
import { escapeControlChars, githubOutputEntry, logSafe } from "@qualys-connector/gate";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * An input as the runner passes it: `INPUT_` and the name upper-cased with spaces as underscores (hyphens stay:
 * `INPUT_FAIL-ON-QIDS`). Trimmed; an empty input is undefined.
 */
export function readInput(env: Env, name: string): string | undefined {
  const value = env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A workflow command's message: `%`, CR and LF encoded as the runner decodes them, so the value stays on the
 * command's line; other control and bidirectional characters shown escaped (`\x1b`), as in every log line.
 */
export function escapeData(text: string): string {
  return escapeControlChars(text, "\r\n")
    .replaceAll("%", "%25")
    .replaceAll("\r", "%0D")
    .replaceAll("\n", "%0A");
}

/** A workflow command's property value: as `escapeData`, and `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** Where the action's log goes: stdout, which the runner reads for workflow commands. */
export type Write = (line: string) => void;

export const writeStdout: Write = (line) => {
  process.stdout.write(`${line}\n`);
};

/** A workflow command line: `::name key=value,…::message`, every value escaped. */
export function workflowCommand(
  name: "error" | "warning" | "notice" | "add-mask",
  message: string,
  properties: Readonly<Record<string, string>> = {},
): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(",");
  return `::${name}${props === "" ? "" : ` ${props}`}::${escapeData(message)}`;
}

/** A plain log line: scanned data in it cannot form a workflow command (`logSafe`). */
export function logText(write: Write, text: string): void {
  write(logSafe(text));
}

/**
 * Step outputs, appended to `$GITHUB_OUTPUT`. A value with a line break takes the multi-line form with a random
 * delimiter it does not contain (githubOutputEntry), so data cannot end the entry and define outputs of its own.
 */
export function setOutputs(env: Env, outputs: readonly (readonly [string, string])[]): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  appendFileSync(file, outputs.map(([name, value]) => githubOutputEntry(name, value)).join(""));
}
