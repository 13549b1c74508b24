/**
 * Write every output of a gate run into the report folder, and announce the summary to the CI system. Called on
 * every outcome, before the process exits, so a failed or broken run still leaves its evidence.
 */

import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { GateResult } from "./result.js";
import { renderHtml } from "./writers/html.js";
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

/** result.json: the GateResult itself. */
export function renderJson(result: GateResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Write through a temporary file, so a reader never sees half a file. */
function writeAtomic(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Write all five outputs into `dir` (created if needed); returns their paths by kind. */
export function writeGateOutputs(result: GateResult, dir: string): Record<keyof typeof OUTPUT_FILES, string> {
  mkdirSync(dir, { recursive: true });
  const paths = Object.fromEntries(
    Object.entries(OUTPUT_FILES).map(([kind, name]) => [kind, path.resolve(dir, name)]),
  ) as Record<keyof typeof OUTPUT_FILES, string>;
  writeAtomic(paths.json, renderJson(result));
  writeAtomic(paths.junit, renderJunit(result));
  writeAtomic(paths.sarif, renderSarif(result));
  writeAtomic(paths.markdown, renderMarkdown(result));
  writeAtomic(paths.html, renderHtml(result));
  return paths;
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
      lines.push(`warning: could not append to GITHUB_STEP_SUMMARY: ${(error as Error).message}`);
    }
  }
  if (env.TF_BUILD?.toLowerCase() === "true") lines.push(`##vso[task.uploadsummary]${markdownPath}`);
  return lines;
}
