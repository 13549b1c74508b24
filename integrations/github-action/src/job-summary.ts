/**
 * The job summary: the gate's summary.md appended to `$GITHUB_STEP_SUMMARY`, cut to fit GitHub's limit of 1 MiB
 * per step ("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k"; docs: "Adding a job
 * summary", https://docs.github.com/actions/reference/workflow-commands-for-github-actions#adding-a-job-summary).
 */

import { appendFileSync } from "node:fs";

/** GitHub's limit on what one step appends to the job summary. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * The Markdown to append: `markdown` whole when it fits within `limitBytes` with the pointer to the full report,
 * otherwise its first lines that fit, then a note that it was cut and where the full report is.
 */
export function fitSummary(
  markdown: string,
  reportHint: string,
  limitBytes = STEP_SUMMARY_LIMIT_BYTES,
): string {
  const pointer = `\n_Full report: ${reportHint}._\n`;
  const whole = `${markdown.trimEnd()}\n${pointer}`;
  if (Buffer.byteLength(whole, "utf8") <= limitBytes) return whole;
  const note =
    `\n\n> [!WARNING]\n> This summary was cut to fit GitHub's job summary limit of 1 MiB. ` +
    `The full results: ${reportHint}.\n`;
  const budget = limitBytes - Buffer.byteLength(note, "utf8");
  // Cut at a line break, so no table row, character or escape sequence is cut in half.
  const bytes = Buffer.from(markdown, "utf8");
  const end = bytes.lastIndexOf(0x0a, Math.max(0, budget - 1));
  const head = end > 0 ? bytes.subarray(0, end).toString("utf8") : "";
  return `${head}${note}`;
}

/** Append the summary to `$GITHUB_STEP_SUMMARY`, when the runner gives one. */
export function appendStepSummary(file: string | undefined, text: string): void {
  if (!file) return;
  appendFileSync(file, text);
}
