/**
 * Severity labels beside the raw Qualys severity. The default is the CHMLI table Ivanti's Qualys WAS connector
 * documents (its guide's "Severity Mapping"): vulnerabilities (confirmed or potential) 1 Low, 2 Medium, 3
 * High, 4 and 5 Critical; information gathered 1 to 3 Low. Sensitive content, which the table does not list,
 * is mapped like a vulnerability. Users override any cell.
 */

import type { Severity } from "./severity.js";

export type FindingKind = "VULNERABILITY" | "POTENTIAL" | "SENSITIVE_CONTENT" | "INFORMATION_GATHERED";

export type SeverityLabelMap = Readonly<Record<FindingKind, Readonly<Record<Severity, string>>>>;

const VULNERABILITY = { 1: "Low", 2: "Medium", 3: "High", 4: "Critical", 5: "Critical" } as const;

export const DEFAULT_SEVERITY_LABELS: SeverityLabelMap = {
  VULNERABILITY,
  POTENTIAL: VULNERABILITY,
  SENSITIVE_CONTENT: VULNERABILITY,
  INFORMATION_GATHERED: { 1: "Low", 2: "Low", 3: "Low", 4: "Low", 5: "Low" },
};

/** The default map with the user's cells laid over it. */
export function severityLabels(
  overrides: Partial<Record<FindingKind, Partial<Record<Severity, string>>>> = {},
): SeverityLabelMap {
  const merged = {} as Record<FindingKind, Record<Severity, string>>;
  for (const kind of Object.keys(DEFAULT_SEVERITY_LABELS) as FindingKind[])
    merged[kind] = { ...DEFAULT_SEVERITY_LABELS[kind], ...overrides[kind] };
  return merged;
}

export function severityLabel(
  map: SeverityLabelMap,
  kind: FindingKind,
  severity: Severity | undefined,
): string | undefined {
  return severity === undefined ? undefined : map[kind][severity];
}
