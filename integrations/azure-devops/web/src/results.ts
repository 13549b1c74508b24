/**
 * result.json attachments into gate results: parsed, checked for the shape the renderer needs, and converted with
 * the gate's own `fromResultFile`, so the views read exactly what the task wrote.
 */

import { fromResultFile, type GateResult, type GateResultFile } from "@qualys-connector/gate";
import type { ResultAttachment } from "./host.js";

const VERDICTS = new Set(["passed", "failed", "incomplete", "error"]);

/** One attachment: its gate result, or why it could not be read. */
export type LoadedResult =
  | { attachment: ResultAttachment; result: GateResult }
  | { attachment: ResultAttachment; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a parsed result.json, or undefined when it has the fields the views read. Not a full schema
 * check: the file comes from our own task, and this only keeps a foreign or damaged attachment from breaking the
 * page.
 */
export function resultFileProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "it is not a JSON object";
  if (value.schemaVersion !== 1) return `schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected 1`;
  if (typeof value.verdict !== "string" || !VERDICTS.has(value.verdict)) return "it has no known verdict";
  for (const list of ["criteria", "findings", "exceptions", "warnings"]) {
    if (!Array.isArray(value[list])) return `${list} is not a list`;
  }
  const counts = value.severityCounts;
  if (!isRecord(counts) || !Array.isArray(counts.counted) || !isRecord(counts.notCounted))
    return "severityCounts is missing";
  if (!isRecord(value.tool)) return "tool is missing";
  return undefined;
}

/** Each attachment as a gate result, or with the reason it could not be read (named after the attachment). */
export function loadResults(attachments: readonly ResultAttachment[]): LoadedResult[] {
  return attachments.map((attachment) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(attachment.text);
    } catch (error) {
      return { attachment, problem: `${attachment.name} is not JSON (${(error as Error).message})` };
    }
    const problem = resultFileProblem(parsed);
    if (problem !== undefined)
      return { attachment, problem: `${attachment.name} is not a Qualys gate result: ${problem}` };
    return { attachment, result: fromResultFile(parsed as GateResultFile) };
  });
}

/** The heading of one result: the task step that attached it, then its scan ("Qualys WAS scan · 4242 my-scan"). */
export function resultHeading(loaded: LoadedResult): string {
  const task = loaded.attachment.taskName;
  if (!("result" in loaded)) return task ?? loaded.attachment.name;
  const scan = loaded.result.scan;
  const scanPart =
    scan === undefined
      ? undefined
      : `${scan.kind.toUpperCase()} scan ${scan.id}${scan.name === undefined ? "" : ` ${scan.name}`}`;
  return [task, scanPart].filter((part) => part !== undefined).join(" · ") || loaded.attachment.name;
}
