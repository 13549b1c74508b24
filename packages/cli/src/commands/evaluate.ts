/**
 * `qualys-connector evaluate PATH`: re-evaluate a saved result.json or a WAS scan download against a policy,
 * offline (no API call), with the same outputs and exit codes as `scan was`. And `baseline create`, which
 * records the findings of a saved run so later runs can fail on new findings only.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createBaseline, evaluateSaved, readSavedScan, SavedScanError } from "@qualys-connector/gate";
import type { Command } from "commander";
import { UsageError } from "../exit-codes.js";
import { printLine } from "../log.js";
import { flagOf } from "../option-flags.js";
import { TOOL } from "../version.js";
import {
  addPolicyOptions,
  addVmCriteriaOptions,
  endGateRun,
  type GateDbFlags,
  loadPolicy,
  type PolicyOptionFlags,
} from "./gate-common.js";
import { addGateDbOption, openGateRecorder } from "./record-gate-run.js";

function readSaved(file: string) {
  try {
    return readSavedScan(file);
  } catch (error) {
    if (error instanceof SavedScanError) throw new UsageError(error.message);
    throw error;
  }
}

export function registerEvaluateCommands(program: Command): void {
  const evaluate = program
    .command("evaluate")
    .argument("<path>", "a result.json from an earlier run, or a WAS scan download (XML or JSON)")
    .description(
      "Re-evaluate saved scan results against a policy, offline: same outputs and exit codes, no API call.",
    );
  addPolicyOptions(evaluate);
  addVmCriteriaOptions(evaluate);
  addGateDbOption(evaluate);
  evaluate.action(async (file: string, flags: PolicyOptionFlags & GateDbFlags) => {
    const { policy, baseline } = loadPolicy(flags);
    const saved = readSaved(file);
    // A saved scan names no subscription (no API URL, no user name): the run is recorded without one.
    const recorder = await openGateRecorder(flags.db, {
      command: "evaluate",
      kind: saved.scan?.kind ?? (saved.hosts ? "vm" : "was"),
      targetKey: "",
    });
    try {
      const result = evaluateSaved(saved, policy, baseline, TOOL, new Date(), flagOf);
      await endGateRun(result, flags, recorder);
    } finally {
      await recorder?.close();
    }
  });

  const baseline = program
    .command("baseline")
    .description("Baselines: the findings already known, so gates can fail on new ones only");
  baseline
    .command("create")
    .argument("<path>", "a result.json from an earlier run, or a WAS scan download (XML or JSON)")
    .requiredOption("--out <file>", "where to write the baseline (JSON)")
    .description(
      "Record every vulnerability of a saved run, by stable fingerprint (web app, QID, normalized URL, parameter).",
    )
    .action(async (file: string, flags: { out: string }) => {
      const saved = readSaved(file);
      const created = createBaseline(
        saved.findings,
        { scanId: saved.scan?.id, target: saved.scan?.target.name ?? saved.scan?.target.id },
        new Date(),
      );
      try {
        mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
        writeFileSync(flags.out, `${JSON.stringify(created, null, 2)}\n`);
      } catch (error) {
        throw new UsageError(`--out ${flags.out}: cannot write (${(error as Error).message})`);
      }
      printLine(
        `baseline ${flags.out}: ${created.findings.length} findings from scan ${created.source.scanId ?? "(unknown)"}`,
      );
    });
}
