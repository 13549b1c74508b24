/**
 * End-to-end helpers for the gate tests: run the real `qualys-connector` (the bundle built for the test run) against an
 * in-process simulator, then read and check every output it wrote.
 */

import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fromResultFile, type GateResult, type GateResultFile } from "@qualys-connector/gate";
import { XMLParser } from "fast-xml-parser";
import { parse as parseJunit, type TestSuites } from "junit2json";
import { expect } from "vitest";
import { type CliRun, runCliProcess } from "./cli-process.js";
import { sarifValidator } from "./sarif-schema.js";

export type { CliRun } from "./cli-process.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function tempDir(prefix = "gate-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Start the CLI; `onStderr` sees stderr as it arrives (to send a signal at the right moment). */
export function startCli(
  args: readonly string[],
  env: Record<string, string>,
  onStderr?: (soFar: string, child: ChildProcess) => void,
): Promise<CliRun> {
  return runCliProcess(args, { env: { HOME: process.env.HOME ?? "", ...env }, cwd: root, onStderr });
}

export interface Outputs {
  result: GateResult;
  junit: TestSuites;
  sarif: { runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[] };
  summary: string;
  html: string;
}

const sarifValid = sarifValidator();

/** Read all five outputs, checking each one's format on the way: SARIF against the schema, JUnit by a reader. */
export async function readOutputs(dir: string): Promise<Outputs> {
  for (const name of ["result.json", "junit.xml", "results.sarif", "summary.md", "report.html"])
    expect(existsSync(path.join(dir, name)), `${name} was written`).toBe(true);
  const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
  const result = fromResultFile(JSON.parse(read("result.json")) as GateResultFile);
  const sarif = JSON.parse(read("results.sarif"));
  expect(sarifValid(sarif), JSON.stringify(sarifValid.errors)).toBe(true);
  const junitXml = read("junit.xml");
  new XMLParser({ ignoreAttributes: false }).parse(junitXml, true);
  const junit = await parseJunit(junitXml);
  if (!junit || !("testsuite" in junit)) throw new Error("junit.xml has no <testsuites>");
  return {
    result,
    junit: junit as TestSuites,
    sarif,
    summary: read("summary.md"),
    html: read("report.html"),
  };
}

/** The last non-empty stdout line: the verdict line. */
export function lastLine(run: CliRun): string {
  return run.stdout.trimEnd().split("\n").at(-1) ?? "";
}
