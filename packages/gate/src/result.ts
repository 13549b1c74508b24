/**
 * The gate result: one model that every writer renders (result.json is this object, serialized). It holds what
 * was configured, what was found and why the verdict is what it is, so a reader never needs the console log.
 */

import type { HostSummary, ScanFinding, SeverityCounts } from "@qualys-connector/model";

/** passed 0 (warnings allowed), failed 1 (policy), incomplete 2 (the scan did not give a full answer), error 3. */
export type Verdict = "passed" | "failed" | "incomplete" | "error";

/** The one home of the exit codes: the gate's result carries its code, and the CLI exits with these numbers. */
export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  incomplete: 2,
  error: 3,
} as const satisfies Readonly<Record<Verdict, number>>;

export type ExitCode = (typeof EXIT_CODES)[Verdict];

export type CriterionAction = "fail" | "warn";

/**
 * pass: satisfied; fail: violated with action fail; warn: violated with action warn; not-evaluated: the scan gave
 * no answer to judge it by (no results, or the severity of a finding unknown), so it is neither passed nor failed.
 */
export type CriterionOutcome = "pass" | "fail" | "warn" | "not-evaluated";

/** One row of the pass/fail table (as the Azure DevOps WAS connector shows it), as data. */
export interface CriterionResult {
  /** Stable id: `severity-count-5`, `min-severity`, `qids`, `scan-complete`, … */
  id: string;
  /** Human wording, e.g. "Severity 5 vulnerabilities: more than 0 fails". */
  label: string;
  action: CriterionAction;
  /** What was configured, as text ("> 0", "QIDs 150000-150100, 150263", ">= 4"). */
  configured: string;
  /** What the scan gave, as text ("3", "150012, 150263", "none"). */
  actual: string;
  outcome: CriterionOutcome;
  /** Why the criterion could not be evaluated; set only when `outcome` is `not-evaluated`. */
  notEvaluatedReason?: string;
  /** True when the criterion counts only findings absent from the baseline. */
  newOnly: boolean;
  /** Fingerprints of the findings that violate it (empty for scan-level criteria). */
  findings: string[];
}

/**
 * Why a finding does or does not count: `counted` (evaluated), `excluded` (QID or CVE exclusion list),
 * `excepted` (a live exception), `potential` (a VM potential vulnerability, evaluated only with
 * `--include-potential`). Information gathered is never a finding.
 */
export type FindingDisposition = "counted" | "excluded" | "excepted" | "potential";

/** Findings no criterion counted, per severity, by why: one entry per non-counted disposition. */
export type NotCountedSeverityCounts = Record<Exclude<FindingDisposition, "counted">, SeverityCounts>;

export interface GateFinding extends ScanFinding {
  disposition: FindingDisposition;
  /** Id of the exception that applies, when `excepted`. */
  exceptionId?: string;
  /** False when the finding is in the baseline (only meaningful when a baseline was given). */
  isNew: boolean;
}

export interface ExceptionReport {
  id: string;
  reason: string;
  /** YYYY-MM-DD; the exception applies up to and including this day (UTC). */
  expires: string;
  /** applied: matched at least one finding; unused: matched none; expired: past its date, no longer applies. */
  status: "applied" | "unused" | "expired";
  /** Findings it matches (for expired ones: the findings it would have matched). */
  matched: number;
  scope: string;
}

export interface GateScan {
  kind: "was" | "vm";
  id: string;
  name: string | undefined;
  reference: string | undefined;
  /** WAS: SUBMITTED RUNNING PROCESSING FINISHED ERROR CANCELED; VM: Running Finished Error Canceled … */
  status: string | undefined;
  resultsStatus: string | undefined;
  authStatus: string | undefined;
  launchedDate: string | undefined;
  durationSec: number | undefined;
  target: { id: string; name: string | undefined; url: string | undefined };
  /** Link to the scan report in the Qualys portal. */
  portalUrl: string | undefined;
}

export interface GateResult {
  schemaVersion: 1;
  tool: { name: string; version: string };
  generatedAt: string;
  verdict: Verdict;
  exitCode: ExitCode;
  /** One line: why the verdict is what it is. The console's last line. */
  reason: string;
  scan: GateScan | undefined;
  /** Set when the scan did not give a full answer; `handling` says whether that failed the run or only warned. */
  incomplete: { reason: string; handling: "fail" | "warn" } | undefined;
  /**
   * False when the scan gave no results at all (it ended in ERROR or was cancelled before a download, the run
   * timed out or failed): the findings list is empty because nothing was looked at, not because nothing was
   * found. Absent in result.json files written before this field existed, which always had results.
   */
  resultsAvailable: boolean;
  /**
   * Vulnerabilities per severity (index 0 = severity 1). `counted` is what the criteria saw: findings neither
   * excluded, excepted nor left out as potential. `notCounted` holds the rest by reason; `inBaseline` is the
   * part of `counted` already in the baseline, which only `newOnly` criteria skip (undefined without a
   * baseline). `fromFindings` is every vulnerability in the findings list (counted plus not counted), compared
   * with the scan's own statistics (WAS `stats.global.nbVulnsLevelN`); `differ` is true when both exist and
   * disagree.
   */
  severityCounts: {
    counted: SeverityCounts;
    notCounted: NotCountedSeverityCounts;
    inBaseline: SeverityCounts | undefined;
    fromFindings: SeverityCounts;
    fromStats: SeverityCounts | undefined;
    differ: boolean;
  };
  criteria: CriterionResult[];
  findings: GateFinding[];
  /** VM: per host, confirmed and potential vulnerabilities by severity and the count of information gathered. */
  hosts?: HostSummary[] | undefined;
  exceptions: ExceptionReport[];
  /** Policy and run warnings (expired exceptions, differing counts, incomplete scan turned into a warning …). */
  warnings: string[];
  /** Set when the verdict is `error`: what went wrong, already redacted. */
  error: { kind: string; message: string } | undefined;
  /** API calls this run made, by purpose (launch, status, download, kb, cancel …). */
  apiCalls: Record<string, number>;
}
