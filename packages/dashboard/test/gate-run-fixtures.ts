/** A real gate result and its recorded row, for the gate-run tests (unit and browser). */

import { type QualysClient, systemClock } from "@qualys-connector/client";
import {
  countCalls,
  type GateResult,
  normalizePolicy,
  runWasGate,
  toResultFile,
  wasGateApi,
} from "@qualys-connector/gate";
import type { RunningSimulator } from "@qualys-connector/simulator";
import type { GateRunInput } from "@qualys-connector/store";

/** What `scan was --db` records for `gate` (the store's `recordGateRun` input). */
export function gateRunInput(gate: GateResult): GateRunInput {
  const counts: Record<string, number> = {};
  gate.severityCounts.counted.forEach((n, i) => {
    counts[String(i + 1)] = n;
  });
  return {
    subscriptionId: undefined,
    command: "scan was",
    kind: "was",
    targetKey: gate.scan?.target.id ?? "webapp",
    targetName: gate.scan?.target.name,
    scanId: gate.scan?.id,
    scanRef: undefined,
    verdict: gate.verdict,
    exitCode: gate.exitCode,
    startedAt: gate.generatedAt,
    finishedAt: gate.generatedAt,
    recordedAt: gate.generatedAt,
    counts,
    findingCount: gate.findings.length,
    resultJson: JSON.stringify(toResultFile(gate)),
  };
}

/** The demo's failing WAS gate, run against the simulator. */
export async function failingWasGate(simulator: RunningSimulator, qualys: QualysClient): Promise<GateResult> {
  const apiCalls: Record<string, number> = {};
  const run = await runWasGate(
    wasGateApi(qualys, countCalls(apiCalls)),
    {
      webApp: "scenario-vulnerable",
      scanName: "dashboard_test_scan",
      type: "VULNERABILITY",
      authRecord: "none",
      scanner: { type: "EXTERNAL" },
      pollIntervalMs: 100,
      timeoutMs: 60_000,
      onTimeout: "cancel",
      onRunning: "attach",
      maxPollFailures: 5,
      clock: systemClock,
      tool: { name: "qualys-connector", version: "0.0.0-test" },
    },
    normalizePolicy({ maxSeverityCount: "5=0,4=2", failOnQids: "150263" }, undefined),
    undefined,
    apiCalls,
  );
  if ("kind" in run) throw new Error(`the gate returned without waiting (${simulator.url})`);
  return run;
}
