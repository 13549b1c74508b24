/**
 * `qualys-connector evaluate PATH`: re-evaluate a saved result.json or a WAS scan download (XML or JSON, as
 * `download/was/wasscan` returns it) against a policy, with no API call.
 */

import { readFileSync } from "node:fs";
import { readWasScanDownload, toWasScanResults } from "@qualys-connector/client";
import { type ScanFinding, wasScanFindings } from "@qualys-connector/model";
import type { Baseline } from "./baseline.js";
import { type EvaluationInput, evaluate, evaluationInput } from "./evaluate.js";
import type { Policy } from "./policy.js";
import { EXIT_CODES, type GateFinding, type GateResult, type GateScan } from "./result.js";
import { fromResultFile, type GateResultFile } from "./result-file.js";
import { completionOf, WAS_TERMINAL_STATUSES } from "./run-was-gate.js";

export class SavedScanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SavedScanError";
  }
}

export interface SavedScan {
  source: "result.json" | "WAS scan download";
  scan: GateScan | undefined;
  findings: ScanFinding[];
  statsCounts: EvaluationInput["statsCounts"];
  completion: EvaluationInput["completion"];
  resultsAvailable: boolean;
  hosts?: GateResult["hosts"];
}

function fromResult(saved: GateResult, file: string): SavedScan {
  if (saved.verdict === "error")
    throw new SavedScanError(
      `${file}: the saved run ended in a tool error (${saved.error?.message ?? saved.reason}); there are no scan results to evaluate`,
    );
  const findings = saved.findings.map((f: GateFinding): ScanFinding => {
    const { disposition: _d, exceptionId: _e, isNew: _n, ...finding } = f;
    return finding;
  });
  const scan = saved.scan;
  const completion: EvaluationInput["completion"] =
    scan && scan.kind === "was" && WAS_TERMINAL_STATUSES.has(scan.status ?? "")
      ? completionOf(scan, { authRecord: "default" })
      : saved.incomplete
        ? { complete: false, reason: saved.incomplete.reason }
        : { complete: true };
  return {
    source: "result.json",
    scan,
    findings,
    statsCounts: saved.severityCounts.fromStats,
    completion,
    // result.json files from before the field existed always had results.
    resultsAvailable: saved.resultsAvailable ?? true,
    ...(saved.hosts ? { hosts: saved.hosts } : {}),
  };
}

function fromDownload(body: string, file: string): SavedScan {
  let node: ReturnType<typeof readWasScanDownload>;
  try {
    node = readWasScanDownload(body, { method: "READ", url: file });
  } catch (error) {
    throw new SavedScanError(
      `${file}: neither a result.json nor a WAS scan download (${(error as Error).message})`,
    );
  }
  const results = toWasScanResults(node);
  const s = results.scan;
  const scan: GateScan = {
    kind: "was",
    id: String(s.id),
    name: s.name,
    reference: s.reference,
    status: s.status,
    resultsStatus: s.resultsStatus,
    authStatus: s.authStatus,
    launchedDate: s.launchedDate,
    durationSec: s.scanDuration,
    target: { id: String(s.webApp?.id ?? ""), name: s.webApp?.name, url: s.webApp?.url },
    portalUrl: undefined,
  };
  return {
    source: "WAS scan download",
    scan,
    findings: wasScanFindings(results, new Map()),
    statsCounts: results.vulnsTotal !== undefined ? results.vulnsByLevel : undefined,
    completion: completionOf(scan, { authRecord: "default" }),
    resultsAvailable: true,
  };
}

/** Read a saved result.json or a WAS scan download. Throws SavedScanError naming the file. */
export function readSavedScan(file: string): SavedScan {
  let body: string;
  try {
    body = readFileSync(file, "utf8");
  } catch (error) {
    throw new SavedScanError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (body.trimStart().startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (error) {
      throw new SavedScanError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const record = data as Partial<GateResultFile> | null;
    if (
      record &&
      record.schemaVersion === 1 &&
      typeof record.verdict === "string" &&
      Array.isArray(record.findings)
    )
      return fromResult(fromResultFile(record as GateResultFile), file);
  }
  return fromDownload(body, file);
}

/** Evaluate a saved scan: the same verdict, outputs and exit codes as a live run. */
export function evaluateSaved(
  saved: SavedScan,
  policy: Policy,
  baseline: Baseline | undefined,
  tool: GateResult["tool"],
  now: Date,
  /** How the reason writes a policy option; a CLI passes its flags. */
  optionName?: (option: string) => string,
): GateResult {
  const evaluation = evaluate(
    evaluationInput(saved.scan?.kind ?? "was", saved, baseline),
    policy,
    now,
    optionName,
  );
  return {
    schemaVersion: 1,
    tool,
    generatedAt: now.toISOString(),
    ...evaluation,
    exitCode: EXIT_CODES[evaluation.verdict],
    scan: saved.scan,
    ...(saved.hosts ? { hosts: saved.hosts } : {}),
    warnings: [`evaluated offline from a saved ${saved.source}`, ...evaluation.warnings],
    error: undefined,
    apiCalls: {},
  };
}
