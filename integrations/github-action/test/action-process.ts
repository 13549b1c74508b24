/**
 * Runs the committed bundle as the GitHub runner does: `node dist/index.js` in a child process, inputs as
 * `INPUT_<NAME>` variables (upper-cased, hyphens kept), `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` as files,
 * `RUNNER_TEMP` and `GITHUB_WORKSPACE` as folders; then reads back what the step left.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The committed bundle that action.yml names. */
export const BUNDLE = path.join(PACKAGE_DIR, "dist", "index.js");

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The step outputs, as the runner reads `$GITHUB_OUTPUT`. */
  outputs: Record<string, string>;
  /** What the step appended to `$GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** The raw `$GITHUB_OUTPUT` file. */
  outputFile: string;
}

/** A temporary folder for one test file; removed by the returned function. */
export function temporaryDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qualys-gha-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Read a `$GITHUB_OUTPUT` file as the runner does: `name=value` lines, and `name<<DELIMITER` lines whose value is
 * every following line up to the line that is exactly DELIMITER.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions#multiline-strings
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const multi = /^([^=<]+)<<(.+)$/.exec(line);
    if (multi) {
      const [, name = "", delimiter] = multi;
      const end = lines.indexOf(delimiter ?? "", i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${name} has no closing delimiter`);
      outputs[name] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`GITHUB_OUTPUT: a line that is no output: ${JSON.stringify(line)}`);
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/** The variable the runner sets for an input: `INPUT_` + the name upper-cased, spaces as underscores. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

let runs = 0;

/**
 * Run the bundle with `inputs` (by their action.yml names) in a fresh runner folder under `root`; `onStdout` sees
 * stdout as it arrives (to signal the step at the right moment, as the runner does when a run is cancelled).
 */
export function runAction(
  root: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  onStdout?: (soFar: string, child: ChildProcess) => void,
): Promise<ActionRun> {
  runs += 1;
  const dir = path.join(root, `run-${runs}`);
  const workspace = path.join(dir, "workspace");
  const temp = path.join(dir, "runner-temp");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const outputFile = path.join(dir, "github-output");
  const summaryFile = path.join(dir, "step-summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  // Only what a runner would set: nothing of the test's own environment but PATH and HOME.
  const variables: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION: "qualys",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: temp,
    GITHUB_WORKSPACE: workspace,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputVariable(name), value])),
    ...env,
  };
  const child = spawn(process.execPath, [BUNDLE], { cwd: workspace, env: variables });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      const outputText = readFileSync(outputFile, "utf8");
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseOutputFile(outputText),
        summary: readFileSync(summaryFile, "utf8"),
        outputFile: outputText,
      });
    });
  });
}
