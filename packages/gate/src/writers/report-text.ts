/**
 * Wording and ordering shared by the human-readable writers (Markdown and HTML), so both tell the same story.
 */

import {
  SEVERITY_NAMES,
  type Severity,
  type SeverityCounts,
  type VulnerabilityDefinition,
} from "@qualys-connector/model";
import { toIsoUtc } from "../iso-date.js";
import type {
  CriterionOutcome,
  GateFinding,
  GateResult,
  NotCountedSeverityCounts,
  Verdict,
} from "../result.js";

/**
 * The verdict as a word for headings. Text, not emoji: a CI log viewer or a browser without an emoji font shows
 * an emoji as an empty box, and the verdict is the one thing a reader must see.
 */
export const HEADLINES: Readonly<Record<Verdict, { label: string; word: string }>> = {
  passed: { label: "PASSED", word: "passed" },
  failed: { label: "FAILED", word: "failed" },
  incomplete: { label: "INCOMPLETE", word: "incomplete" },
  error: { label: "ERROR", word: "error" },
};

/** A criterion's outcome in the pass/fail tables, as words for the same reason. */
export const OUTCOME_LABELS: Readonly<Record<CriterionOutcome, string>> = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  "not-evaluated": "NOT EVALUATED",
};

/**
 * Why findings were not counted, in the order the severity tables show them: `label` heads a column, `phrase`
 * follows a number in a sentence ("2 excluded by QID or CVE").
 */
export const NOT_COUNTED_REASONS: readonly {
  key: keyof NotCountedSeverityCounts;
  label: string;
  phrase: string;
}[] = [
  { key: "excluded", label: "Excluded (QID or CVE)", phrase: "excluded by QID or CVE" },
  { key: "excepted", label: "Excepted", phrase: "excepted" },
  { key: "potential", label: "Potential, not evaluated", phrase: "potential, not evaluated" },
];

/** The not-counted reasons with at least one finding: the tables leave empty reasons out. */
export function notCountedShown(result: GateResult): typeof NOT_COUNTED_REASONS {
  return NOT_COUNTED_REASONS.filter(({ key }) => sum(result.severityCounts.notCounted[key]) > 0);
}

/**
 * The sentence under the severity counts when some findings were not counted, e.g. "2 more in the findings list
 * were not counted: 1 excluded (QID or CVE), 1 potential, not evaluated."; undefined when all were counted.
 */
export function notCountedSentence(result: GateResult): string | undefined {
  const shown = notCountedShown(result);
  if (shown.length === 0) return undefined;
  const total = shown.reduce((n, { key }) => n + sum(result.severityCounts.notCounted[key]), 0);
  const parts = shown.map(({ key, phrase }) => `${sum(result.severityCounts.notCounted[key])} ${phrase}`);
  return `${total} more in the findings list ${total === 1 ? "was" : "were"} not counted by any criterion: ${parts.join(", ")}.`;
}

/** Said instead of counts and findings when the scan gave no results: nothing was looked at. */
export const NO_RESULTS = "The scan gave no results, so no vulnerability was looked at.";

export const DISPOSITION_ORDER: Readonly<Record<GateFinding["disposition"], number>> = {
  counted: 0,
  excepted: 1,
  excluded: 2,
  potential: 3,
};

/**
 * A date as reports show it: ISO 8601 UTC to the second, for WAS and VM alike (also a VM date in a result.json
 * written before VM dates were converted); text that is no date is shown as it is.
 */
export function reportDate(text: string): string {
  return toIsoUtc(text) ?? text;
}

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  return `${rest} s`;
}

export function severityLabel(severity: Severity | undefined): string {
  return severity === undefined ? "unknown" : `${severity} ${SEVERITY_NAMES[severity]}`;
}

/**
 * Qualys' Azure DevOps WAS connector shows "Available Unauthenticated?"; a finding may have instances found
 * both ways, so this column says how it was found: only while logged in, only without logging in, both, or
 * unknown.
 */
export function authenticationLabel(finding: GateFinding): string {
  const { authenticated, unauthenticated } = finding;
  if (authenticated === true && unauthenticated === true) return "both";
  if (authenticated === true) return "yes";
  if (unauthenticated === true) return "no";
  return "unknown";
}

export function dispositionLabel(finding: GateFinding): string {
  if (finding.disposition === "excepted" && finding.exceptionId !== undefined) {
    return `excepted: ${finding.exceptionId}`;
  }
  // "potential" alone reads like the finding's type; the point is that the policy did not look at it.
  if (finding.disposition === "potential") return "potential (not evaluated)";
  return finding.disposition;
}

/**
 * True for a VM gate result. The hosts summary counts as evidence too, so a result whose scan facts were lost
 * (an error after fetching) still gets the VM tables.
 */
export function isVmResult(result: GateResult): boolean {
  return result.scan?.kind === "vm" || result.hosts !== undefined;
}

/**
 * Where a VM detection was found: `ip:port/protocol`, `ip:port` without a protocol, or the bare IP for
 * host-level detections, which Qualys reports without a port. Undefined for a finding without a host.
 */
export function hostEndpoint(finding: GateFinding): string | undefined {
  if (finding.host === undefined) return undefined;
  // The model leaves `ip` empty when a row had none; the finding's target is then the best name for the host.
  const ip = finding.host.ip || finding.target;
  if (!finding.port) return ip;
  return finding.protocol ? `${ip}:${finding.port}/${finding.protocol}` : `${ip}:${finding.port}`;
}

/** Where a finding was found: its URL (WAS), else its host endpoint (VM), else undefined. */
export function findingLocation(finding: GateFinding): string | undefined {
  return finding.url || hostEndpoint(finding);
}

/** The VM detection type: confirmed, or potential (the scanner could not verify it). */
export function kindLabel(finding: GateFinding): "confirmed" | "potential" {
  return finding.potential ? "potential" : "confirmed";
}

/** CVEs shown in a table cell; some QIDs carry hundreds, and the full list is in result.json. */
const CVES_SHOWN = 3;

/** The first CVEs and how many more there are ("CVE-1, CVE-2, CVE-3 and 4 more"); "" when there are none. */
export function cveSummary(cves: readonly string[]): string {
  const shown = cves.slice(0, CVES_SHOWN).join(", ");
  const more = cves.length - CVES_SHOWN;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/**
 * One CVSS base score per row: v3 where known (current advisories score in v3), else v2, labelled with its version
 * because the `cvss` criterion may compare the other one; "—" when neither is known.
 */
export function cvssLabel(definition: VulnerabilityDefinition | undefined): string {
  if (definition?.cvssV3Base !== undefined) return `${definition.cvssV3Base.toFixed(1)} (v3)`;
  if (definition?.cvssV2Base !== undefined) return `${definition.cvssV2Base.toFixed(1)} (v2)`;
  return "—";
}

export function pciLabel(definition: VulnerabilityDefinition | undefined): string {
  return definition === undefined ? "unknown" : definition.pci ? "yes" : "no";
}

/**
 * The text cut to `max` code points with an ellipsis. Code points, not UTF-16 units, so a cut never splits a
 * surrogate pair into a character that escaping would have to replace.
 */
export function excerpt(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
}

/**
 * Counted findings first, then excepted, excluded and potential ones; within each, most severe first, then by QID.
 */
export function reportOrder(findings: readonly GateFinding[]): GateFinding[] {
  return [...findings].sort(
    (a, b) =>
      DISPOSITION_ORDER[a.disposition] - DISPOSITION_ORDER[b.disposition] ||
      (b.severity ?? 0) - (a.severity ?? 0) ||
      a.qid - b.qid,
  );
}

export function countAt(counts: SeverityCounts, severity: Severity): number {
  return counts[severity - 1] ?? 0;
}

export function sum(counts: SeverityCounts): number {
  return counts.reduce((total, n) => total + n, 0);
}
