/**
 * Write every output of a gate run into the report folder, and announce the summary to the CI system. Called on
 * every outcome, before the process exits, so a failed or broken run still leaves its evidence.
 */

import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { escapeControlChars, logSafe } from "./log-text.js";
import { redactGateResult } from "./redact-result.js";
import type { GateResult } from "./result.js";
import { toResultFile } from "./result-file.js";
import { isAzureDevOps } from "./scan-name.js";
import { renderGitlabDast } from "./writers/gitlab-dast.js";
import { type HtmlMode, REPORT_CSS, REPORT_STYLESHEET, renderHtml } from "./writers/html.js";
import { renderJunit } from "./writers/junit.js";
import { renderMarkdown } from "./writers/markdown.js";
import { renderSarif } from "./writers/sarif.js";

export const OUTPUT_FILES = {
  json: "result.json",
  junit: "junit.xml",
  sarif: "results.sarif",
  markdown: "summary.md",
  html: "report.html",
} as const;

/** result.json: the GateResult, with definitions stored once per QID (result-file.ts). */
export function renderJson(result: GateResult): string {
  return `${JSON.stringify(toResultFile(result), null, 2)}\n`;
}

/** Write through a temporary file, so a reader never sees half a file. */
function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

export interface WriteGateOutputsOptions {
  /** Exact secret values to mask in every output, besides the shapes `redactGateResult` always masks. */
  secrets?: readonly string[];
  /**
   * How report.html carries its stylesheet (default `inline`); `strict` also writes REPORT_STYLESHEET beside it,
   * for a server's strict Content-Security-Policy (Jenkins').
   */
  htmlMode?: HtmlMode;
  /**
   * Also write a GitLab DAST security report (writers/gitlab-dast.ts) to this file, for
   * `artifacts:reports:dast`; relative to the working directory, not to `dir`. Its folder is created if needed.
   */
  gitlabDast?: string;
}

/**
 * Write all five outputs into `dir` (created if needed), and the optional ones `options` asks for (report.html's
 * stylesheet with `htmlMode: "strict"`, the GitLab DAST report); returns their paths by kind. Every output is
 * rendered from the result with secrets masked: their shapes, and the exact values in `options.secrets`.
 */
export function writeGateOutputs(
  unsafe: GateResult,
  dir: string,
  options: WriteGateOutputsOptions = {},
): Record<keyof typeof OUTPUT_FILES, string> & { stylesheet?: string; gitlabDast?: string } {
  const result = redactGateResult(unsafe, options.secrets);
  mkdirSync(dir, { recursive: true });
  const paths = Object.fromEntries(
    Object.entries(OUTPUT_FILES).map(([kind, name]) => [kind, path.resolve(dir, name)]),
  ) as Record<keyof typeof OUTPUT_FILES, string>;
  writeAtomic(paths.json, renderJson(result));
  writeAtomic(paths.junit, renderJunit(result));
  writeAtomic(paths.sarif, renderSarif(result));
  writeAtomic(paths.markdown, renderMarkdown(result));
  const written: Record<keyof typeof OUTPUT_FILES, string> & { stylesheet?: string; gitlabDast?: string } = {
    ...paths,
  };
  if (options.htmlMode === "strict") {
    // The stylesheet first, so a report.html that exists always finds its styles.
    written.stylesheet = path.resolve(dir, REPORT_STYLESHEET);
    writeAtomic(written.stylesheet, REPORT_CSS);
    writeAtomic(paths.html, renderHtml(result, { mode: "strict" }));
  } else writeAtomic(paths.html, renderHtml(result));
  if (options.gitlabDast !== undefined) {
    written.gitlabDast = path.resolve(options.gitlabDast);
    mkdirSync(path.dirname(written.gitlabDast), { recursive: true });
    writeAtomic(written.gitlabDast, renderGitlabDast(result));
  }
  return written;
}

/**
 * Step outputs for later steps (users ask for them; Qualys' own gates expose none): `verdict`, `exit-code`,
 * `scan-id`, `report-dir` and the severity counts (`severity-N`: what the criteria counted;
 * `severity-N-not-counted`: findings of that severity no criterion counted, being excluded, excepted or
 * potential and not evaluated), as `$GITHUB_OUTPUT` lines on GitHub Actions and `##vso[task.setvariable]`
 * logging commands on Azure DevOps (returned as lines to print as they are: values are escaped, warnings
 * log-safe).
 */
export function publishStepOutputs(
  result: GateResult,
  reportDir: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const { counted, notCounted } = result.severityCounts;
  const notCountedAt = (i: number) =>
    Object.values(notCounted).reduce((total, counts) => total + (counts[i] ?? 0), 0);
  const values: [string, string][] = [
    ["verdict", result.verdict],
    ["exit-code", String(result.exitCode)],
    ["scan-id", result.scan?.id ?? ""],
    ["report-dir", path.resolve(reportDir)],
    ...counted.map((n, i): [string, string] => [`severity-${i + 1}`, String(n)]),
    ...counted.map((_, i): [string, string] => [`severity-${i + 1}-not-counted`, String(notCountedAt(i))]),
  ];
  const lines: string[] = [];
  if (env.GITHUB_OUTPUT) {
    try {
      appendFileSync(env.GITHUB_OUTPUT, githubOutputText(values));
    } catch (error) {
      lines.push(logSafe(`warning: could not append to GITHUB_OUTPUT: ${(error as Error).message}`));
    }
  }
  return [...lines, ...azureOutputLines(values, env)];
}

/**
 * The step output of a scan launched without waiting (`--no-wait`): `scan-id`, for the job that gates it later.
 * Same names and escaping as `publishStepOutputs`; a `$GITHUB_OUTPUT` that cannot be written is an error here,
 * since that id is all the later job has. Returns the lines to print as they are.
 */
export function publishLaunchedScanOutputs(
  scanId: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const values: [string, string][] = [["scan-id", scanId]];
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, githubOutputText(values));
  return azureOutputLines(values, env);
}

function githubOutputText(values: readonly (readonly [string, string])[]): string {
  return values.map(([k, v]) => githubOutputEntry(k, v)).join("");
}

/** On Azure DevOps (`TF_BUILD`), each output as an output variable: `scan-id` becomes `qualysScanId`. */
function azureOutputLines(
  values: readonly (readonly [string, string])[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (!isAzureDevOps(env)) return [];
  const camel = (k: string) =>
    `qualys${k.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
  return values.map(([k, v]) => azureSetOutputVariable(camel(k), v));
}

/**
 * Tell the CI system about the summary: appended to `$GITHUB_STEP_SUMMARY` on GitHub Actions, and uploaded with
 * the `##vso[task.uploadsummary]` logging command on Azure DevOps (`TF_BUILD`). Returns the lines to print.
 */
export function announceSummary(
  markdownPath: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const lines: string[] = [];
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    try {
      appendFileSync(stepSummary, `${readFileSync(markdownPath, "utf8")}\n`);
    } catch (error) {
      lines.push(logSafe(`warning: could not append to GITHUB_STEP_SUMMARY: ${(error as Error).message}`));
    }
  }
  if (isAzureDevOps(env)) lines.push(`##vso[task.uploadsummary]${azureCommandData(markdownPath)}`);
  return lines;
}

/**
 * One `$GITHUB_OUTPUT` entry. A value of one line is `name=value`; a value with a line break uses the documented
 * multi-line form `name<<DELIMITER`, value, `DELIMITER`, with a random delimiter that does not occur in the value,
 * so the value cannot end the entry early and define outputs of its own.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions#multiline-strings
 */
export function githubOutputEntry(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/**
 * The data of an Azure DevOps logging command, escaped as documented (`%` as `%AZP25`, CR as `%0D`, LF as `%0A`),
 * so the agent reads back the value and the value cannot end the command's line. Other control and bidirectional
 * characters would reach the job log as they are, so they are shown escaped (`\x1b`) instead.
 * https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands#formatting-commands
 */
export function azureCommandData(value: string): string {
  return escapeControlChars(value, "\r\n")
    .replaceAll("%", "%AZP25")
    .replaceAll("\r", "%0D")
    .replaceAll("\n", "%0A");
}

/** `##vso[task.setvariable]` for an output variable; `name` is ours, the value is escaped. */
export function azureSetOutputVariable(name: string, value: string): string {
  return `##vso[task.setvariable variable=${name};isOutput=true]${azureCommandData(value)}`;
}
