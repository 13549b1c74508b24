/**
 * Wording and ordering shared by the human-readable writers (Markdown and HTML), so both tell the same story.
 */

import { SEVERITY_NAMES, type Severity, type SeverityCounts } from "@qualys-connector/model";
import type { GateFinding, Verdict } from "../result.js";

export const HEADLINES: Readonly<Record<Verdict, { icon: string; word: string }>> = {
  passed: { icon: "✅", word: "passed" },
  failed: { icon: "❌", word: "failed" },
  incomplete: { icon: "⚠️", word: "incomplete" },
  error: { icon: "💥", word: "error" },
};

export const DISPOSITION_ORDER: Readonly<Record<GateFinding["disposition"], number>> = {
  counted: 0,
  excepted: 1,
  excluded: 2,
  potential: 3,
};

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
 * Seed 000 shows "Available Unauthenticated?"; a finding may have instances found both ways, so this column says
 * how it was found: only while logged in, only without logging in, both, or unknown.
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
  return finding.disposition;
}

/** Counted findings first, then excepted, then excluded; within each, most severe first, then by QID. */
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
