/**
 * The verdict, as a pure function of the scan's answer, the policy, the baseline and the date: no I/O, so it is
 * tested with tables and gives the same answer online (`scan was`) and offline (`evaluate`).
 */

import {
  emptyCounts,
  normalizeUrl,
  type ScanFinding,
  SEVERITY_NAMES,
  type SeverityCounts,
} from "@qualys-connector/model";
import type { Baseline } from "./baseline.js";
import { type CvssVersion, hasVulnerabilityCriteria, type Policy, type PolicyException } from "./policy.js";
import { formatQidRanges, qidInRanges } from "./qid-list.js";
import type {
  CriterionResult,
  ExceptionReport,
  GateFinding,
  GateResult,
  GateScan,
  NotCountedSeverityCounts,
  Verdict,
} from "./result.js";

export interface EvaluationInput {
  scan: GateScan | undefined;
  /** Vulnerabilities only: information gathered and sensitive content are never criteria. */
  findings: readonly ScanFinding[];
  /** Counts as the scan's own statistics give them, when it has them. */
  statsCounts: SeverityCounts | undefined;
  /** Whether the scan gave a full answer, and if not, why. */
  completion: { complete: true } | { complete: false; reason: string };
  /**
   * False when the scan gave no results at all (ended in ERROR, cancelled before a download, timed out): the
   * vulnerability criteria are then not evaluated rather than passed.
   */
  resultsAvailable: boolean;
  /** Fingerprints of the baseline, when one is used. */
  baseline: ReadonlySet<string> | undefined;
  /** Wording for the scan-level criterion, e.g. "WAS could scan the web application". */
  completionLabel: string;
}

/** The wording of the scan-level criterion, per gate. */
const COMPLETION_LABELS: Readonly<Record<GateScan["kind"], string>> = {
  was: "WAS could scan the web application",
  vm: "VM could scan the host",
};

/**
 * The evaluation input of a WAS or VM scan: what the scan gave, the baseline as the set of its fingerprints, and
 * the scan-level criterion's wording for the gate. The live runners and the offline evaluation all build it here.
 */
export function evaluationInput(
  kind: GateScan["kind"],
  scanned: Pick<EvaluationInput, "scan" | "findings" | "statsCounts" | "completion" | "resultsAvailable">,
  baseline: Baseline | undefined,
): EvaluationInput {
  return {
    scan: scanned.scan,
    findings: scanned.findings,
    statsCounts: scanned.statsCounts,
    completion: scanned.completion,
    resultsAvailable: scanned.resultsAvailable,
    baseline: baseline ? new Set(baseline.findings.map((f) => f.fingerprint)) : undefined,
    completionLabel: COMPLETION_LABELS[kind],
  };
}

export type Evaluation = Pick<
  GateResult,
  | "verdict"
  | "reason"
  | "incomplete"
  | "resultsAvailable"
  | "severityCounts"
  | "criteria"
  | "findings"
  | "exceptions"
  | "warnings"
>;

/** An exception is live through the end of its expiry day, UTC. */
function isExpired(exception: PolicyException, now: Date): boolean {
  return now.toISOString().slice(0, 10) > exception.expires;
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i");
}

function exceptionMatcher(exception: PolicyException, scan: GateScan | undefined) {
  const urls = exception.urls?.map(globToRegExp);
  const targets = exception.targets;
  return (finding: ScanFinding): boolean => {
    if (exception.qids && !qidInRanges(finding.qid, exception.qids)) return false;
    if (targets) {
      const names = [finding.target, scan?.target.id, scan?.target.name].filter(
        (n): n is string => n !== undefined && n !== "",
      );
      if (!targets.some((t) => names.includes(t))) return false;
    }
    if (urls) {
      const candidates = [finding.url ?? "", normalizeUrl(finding.url)];
      if (!urls.some((re) => candidates.some((c) => re.test(c)))) return false;
    }
    return true;
  };
}

function describeScope(exception: PolicyException): string {
  const parts: string[] = [];
  if (exception.qids) parts.push(`QID ${formatQidRanges(exception.qids)}`);
  if (exception.targets) parts.push(`on ${exception.targets.join(", ")}`);
  if (exception.urls) parts.push(`at ${exception.urls.join(", ")}`);
  return parts.join(" ");
}

function countBySeverity(findings: readonly ScanFinding[]): SeverityCounts {
  const counts = emptyCounts();
  for (const f of findings) {
    if (f.severity !== undefined) counts[f.severity - 1] = (counts[f.severity - 1] ?? 0) + 1;
  }
  return counts;
}

function listQids(findings: readonly ScanFinding[], limit = 20): string {
  const qids = [...new Set(findings.map((f) => f.qid))].sort((a, b) => a - b);
  if (qids.length === 0) return "none";
  const shown = qids.slice(0, limit).join(", ");
  return qids.length > limit ? `${shown} and ${qids.length - limit} more` : shown;
}

const fmt = (counts: SeverityCounts) => counts.join("/");

/** Evaluate the policy against the scan's answer. Pure: same input, same output. */
export function evaluate(
  input: EvaluationInput,
  policy: Policy,
  now: Date,
  /** How the reason writes a policy option (`onIncomplete`); a CLI passes its flags. */
  optionName: (option: string) => string = (option) => option,
): Evaluation {
  const onIncomplete = optionName("onIncomplete");
  const warnings: string[] = [];

  // Dispositions: QID and CVE exclusions first, then potential vulnerabilities (VM, unless included), then live
  // exceptions.
  const excludedCves = new Set(policy.excludeCves);
  const matchers = policy.exceptions.map((e) => ({
    exception: e,
    expired: isExpired(e, now),
    matches: exceptionMatcher(e, input.scan),
    matched: 0,
  }));
  const findings: GateFinding[] = input.findings.map((finding) => {
    const isNew = input.baseline ? !input.baseline.has(finding.fingerprint) : true;
    if (
      qidInRanges(finding.qid, policy.excludeQids) ||
      finding.definition?.cves.some((c) => excludedCves.has(c))
    )
      return { ...finding, disposition: "excluded", isNew };
    if (finding.potential && !policy.includePotential) return { ...finding, disposition: "potential", isNew };
    let exceptionId: string | undefined;
    for (const m of matchers) {
      if (!m.matches(finding)) continue;
      m.matched += 1;
      if (!m.expired && exceptionId === undefined) exceptionId = m.exception.id;
    }
    return exceptionId !== undefined
      ? { ...finding, disposition: "excepted", exceptionId, isNew }
      : { ...finding, disposition: "counted", isNew };
  });

  const exceptions: ExceptionReport[] = matchers.map((m) => ({
    id: m.exception.id,
    reason: m.exception.reason,
    expires: m.exception.expires,
    status: m.expired ? "expired" : m.matched > 0 ? "applied" : "unused",
    matched: m.matched,
    scope: describeScope(m.exception),
  }));
  for (const e of exceptions) {
    if (e.status === "expired")
      warnings.push(
        `exception ${e.id} expired on ${e.expires} and no longer applies` +
          (e.matched > 0 ? ` (${e.matched} finding${e.matched === 1 ? "" : "s"} now count)` : ""),
      );
    else if (e.status === "unused") warnings.push(`exception ${e.id} matched no finding; it may be obsolete`);
  }

  const counted = findings.filter((f) => f.disposition === "counted");
  const scope = (newOnly: boolean) => (newOnly ? counted.filter((f) => f.isNew) : counted);

  const fromFindings = countBySeverity(input.findings);
  const withDisposition = (disposition: GateFinding["disposition"]) =>
    countBySeverity(findings.filter((f) => f.disposition === disposition));
  const notCounted: NotCountedSeverityCounts = {
    excluded: withDisposition("excluded"),
    excepted: withDisposition("excepted"),
    potential: withDisposition("potential"),
  };
  const inBaseline = input.baseline ? countBySeverity(counted.filter((f) => !f.isNew)) : undefined;
  const differ = input.statsCounts !== undefined && fmt(input.statsCounts) !== fmt(fromFindings);
  if (differ && input.statsCounts)
    warnings.push(
      `severity counts differ: findings list ${fmt(fromFindings)}, scan statistics ${fmt(input.statsCounts)} (severity 1/2/3/4/5); the criteria use the findings list`,
    );

  // A severity criterion cannot be decided for findings whose severity nobody told us.
  let completion = input.completion;
  const unknown = counted.filter((f) => f.severity === undefined);
  if (unknown.length > 0 && (policy.severityCounts.length > 0 || policy.minSeverity !== undefined)) {
    const reason = `severity unknown for ${unknown.length} finding${unknown.length === 1 ? "" : "s"} (QIDs ${listQids(unknown)})`;
    completion = completion.complete
      ? { complete: false, reason }
      : { complete: false, reason: `${completion.reason}; ${reason}` };
  }

  const criteria: CriterionResult[] = [];
  const outcome = (violated: boolean, action: "fail" | "warn") => (!violated ? "pass" : action);

  for (const rule of policy.severityCounts) {
    const hits = scope(rule.newOnly).filter((f) => f.severity === rule.severity);
    criteria.push({
      id: `severity-count-${rule.severity}`,
      label: `Severity ${rule.severity} (${SEVERITY_NAMES[rule.severity]}) ${rule.newOnly ? "new " : ""}vulnerabilities: more than ${rule.max} fails`,
      action: rule.action,
      configured: `> ${rule.max}`,
      actual: String(hits.length),
      outcome: outcome(hits.length > rule.max, rule.action),
      newOnly: rule.newOnly,
      findings: hits.length > rule.max ? hits.map((f) => f.fingerprint) : [],
    });
  }
  if (policy.minSeverity) {
    const { severity, action, newOnly } = policy.minSeverity;
    const hits = scope(newOnly).filter((f) => f.severity !== undefined && f.severity >= severity);
    criteria.push({
      id: "min-severity",
      label: `Any ${newOnly ? "new " : ""}vulnerability of severity ${severity} (${SEVERITY_NAMES[severity]}) or higher`,
      action,
      configured: `>= ${severity}`,
      actual: hits.length === 0 ? "none" : `${hits.length} (QIDs ${listQids(hits)})`,
      outcome: outcome(hits.length > 0, action),
      newOnly,
      findings: hits.map((f) => f.fingerprint),
    });
  }
  if (policy.failOnQids) {
    const { qids, action, newOnly } = policy.failOnQids;
    const hits = scope(newOnly).filter((f) => qidInRanges(f.qid, qids));
    criteria.push({
      id: "qids",
      label: `Any of these QIDs${newOnly ? ", new findings only" : ""}`,
      action,
      configured: formatQidRanges(qids),
      actual: listQids(hits),
      outcome: outcome(hits.length > 0, action),
      newOnly,
      findings: hits.map((f) => f.fingerprint),
    });
  }
  if (policy.failOnCves) {
    const { cves, action, newOnly } = policy.failOnCves;
    const wanted = new Set(cves);
    const hits = scope(newOnly).filter((f) => f.definition?.cves.some((c) => wanted.has(c)));
    const found = [
      ...new Set(hits.flatMap((f) => f.definition?.cves.filter((c) => wanted.has(c)) ?? [])),
    ].sort();
    criteria.push({
      id: "cves",
      label: `Any of these CVEs${newOnly ? ", new findings only" : ""}`,
      action,
      configured: cves.join(", "),
      actual: found.length === 0 ? "none" : found.join(", "),
      outcome: outcome(hits.length > 0, action),
      newOnly,
      findings: hits.map((f) => f.fingerprint),
    });
  }
  if (policy.failOnCvss) {
    const { score, version, action, newOnly } = policy.failOnCvss;
    const scoreOf = (f: ScanFinding) => cvssScore(f, version);
    const hits = scope(newOnly).filter((f) => (scoreOf(f) ?? -1) >= score);
    const highest = Math.max(-1, ...scope(newOnly).map((f) => scoreOf(f) ?? -1));
    criteria.push({
      id: "cvss",
      label: `Any ${newOnly ? "new " : ""}vulnerability with a CVSS ${version === "max" ? "v2 or v3" : `v${version}`} base score of ${score} or more`,
      action,
      configured: `>= ${score} (${version === "max" ? "higher of v2 and v3" : `v${version}`})`,
      actual:
        hits.length > 0
          ? `${hits.length} (highest ${highest})`
          : highest >= 0
            ? `none (highest ${highest})`
            : "none",
      outcome: outcome(hits.length > 0, action),
      newOnly,
      findings: hits.map((f) => f.fingerprint),
    });
  }
  if (policy.failOnPci) {
    const { action, newOnly } = policy.failOnPci;
    const hits = scope(newOnly).filter((f) => f.definition?.pci === true);
    criteria.push({
      id: "pci",
      label: `Any ${newOnly ? "new " : ""}vulnerability flagged for PCI`,
      action,
      configured: "no PCI vulnerability",
      actual: hits.length === 0 ? "none" : `${hits.length} (QIDs ${listQids(hits)})`,
      outcome: outcome(hits.length > 0, action),
      newOnly,
      findings: hits.map((f) => f.fingerprint),
    });
  }
  // A criterion the scan gave nothing to judge by is "not evaluated", never a pass: without results every
  // vulnerability criterion; on the partial results of an incomplete scan, those not violated (a violation found
  // is real, its absence proves nothing); with findings of unknown severity, the severity criteria.
  for (const criterion of criteria) {
    if (!input.resultsAvailable) {
      Object.assign(criterion, {
        outcome: "not-evaluated",
        actual: "no results",
        notEvaluatedReason: completion.complete
          ? "the scan gave no results"
          : `the scan gave no results: ${completion.reason}`,
      });
    } else if (!input.completion.complete && criterion.outcome === "pass") {
      criterion.outcome = "not-evaluated";
      criterion.notEvaluatedReason = `the scan is incomplete (${input.completion.reason}); its results show ${criterion.actual === "0" || criterion.actual.startsWith("none") ? "no violation" : `${criterion.actual}, no violation`}`;
    } else if (
      unknown.length > 0 &&
      criterion.outcome === "pass" &&
      (criterion.id.startsWith("severity-count-") || criterion.id === "min-severity")
    ) {
      criterion.outcome = "not-evaluated";
      criterion.notEvaluatedReason = `severity unknown for ${unknown.length} finding${unknown.length === 1 ? "" : "s"} (QIDs ${listQids(unknown)})`;
    }
  }
  const notEvaluated = criteria.filter((c) => c.outcome === "not-evaluated");

  criteria.push({
    id: "scan-complete",
    label: input.completionLabel,
    action: policy.onIncomplete,
    configured: policy.onIncomplete === "fail" ? "required" : `warn only (${onIncomplete} warn)`,
    actual: describeScanState(input.scan, completion),
    outcome: outcome(!completion.complete, policy.onIncomplete),
    newOnly: false,
    findings: [],
  });

  const failed = criteria.filter((c) => c.outcome === "fail" && c.id !== "scan-complete");
  const warned = criteria.filter((c) => c.outcome === "warn");
  let verdict: Verdict;
  let reason: string;
  let incomplete: Evaluation["incomplete"];
  if (!completion.complete) {
    incomplete = { reason: completion.reason, handling: policy.onIncomplete };
    if (policy.onIncomplete === "warn")
      warnings.push(
        `the scan is incomplete (${completion.reason}); ${onIncomplete} warn lets the run pass on the results that exist`,
      );
  }
  if (failed.length > 0) {
    // Violations found are real even when the scan is incomplete; retrying will not make them go away.
    verdict = "failed";
    reason = `failed: ${failed.map((c) => `${c.label.replace(/: more than \d+ fails$/, "")}: ${c.actual} (configured ${c.configured})`).join("; ")}`;
    if (incomplete) reason += `; also incomplete: ${incomplete.reason}`;
  } else if (incomplete && incomplete.handling === "fail") {
    verdict = "incomplete";
    reason = `incomplete: ${incomplete.reason}`;
  } else {
    verdict = "passed";
    const ran = criteria.length - notEvaluated.length;
    reason = `passed: ${ran} criteri${ran === 1 ? "on" : "a"} checked`;
    if (notEvaluated.length > 0)
      reason += `, ${notEvaluated.length} not evaluated (${notEvaluated.map((c) => c.id).join(", ")})`;
    if (warned.length > 0)
      reason += `, ${warned.length} warning${warned.length === 1 ? "" : "s"} (${warned.map((c) => c.id).join(", ")})`;
    if (incomplete)
      reason += `; the scan was incomplete (${incomplete.reason}) and ${onIncomplete} warn let it pass`;
  }
  if (!hasVulnerabilityCriteria(policy))
    warnings.push("no vulnerability criterion is configured: the gate only checks that the scan completed");

  return {
    verdict,
    reason,
    incomplete,
    resultsAvailable: input.resultsAvailable,
    severityCounts: {
      counted: countBySeverity(counted),
      notCounted,
      inBaseline,
      fromFindings,
      fromStats: input.statsCounts,
      differ,
    },
    criteria,
    findings,
    exceptions,
    warnings,
  };
}

/**
 * The base score a CVSS criterion compares: v2, v3, or the higher of both (the Jenkins VM connector offers v2
 * or v3).
 */
function cvssScore(finding: ScanFinding, version: CvssVersion): number | undefined {
  const v2 = finding.definition?.cvssV2Base;
  const v3 = finding.definition?.cvssV3Base;
  if (version === "2") return v2;
  if (version === "3") return v3;
  return v2 === undefined ? v3 : v3 === undefined ? v2 : Math.max(v2, v3);
}

function describeScanState(scan: GateScan | undefined, completion: EvaluationInput["completion"]): string {
  const state = scan ? [scan.status, scan.resultsStatus].filter((s) => s !== undefined).join(" / ") : "";
  if (completion.complete) return state || "complete";
  return state ? `${state}: ${completion.reason}` : completion.reason;
}
