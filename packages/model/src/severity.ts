/**
 * Qualys severities 1 (minimal) to 5 (urgent), the same scale for WAS and VM (docs/qualys-api.md 3.9, 4.6),
 * and their mappings to other tools' scales.
 */

export const SEVERITIES = [1, 2, 3, 4, 5] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Qualys' own names for the levels (KB and portal wording). */
export const SEVERITY_NAMES: Readonly<Record<Severity, string>> = {
  1: "Minimal",
  2: "Medium",
  3: "Serious",
  4: "Critical",
  5: "Urgent",
};

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5;
}

/** A severity from a number or numeric text, or undefined when it is not 1 to 5. */
export function toSeverity(value: unknown): Severity | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return isSeverity(n) ? n : undefined;
}

/**
 * A CVSS-like 0.0-10.0 score for each Qualys level, for consumers that rank by a score (SARIF
 * `properties.security-severity`, the definitions' severity score when no CVSS is known). GitHub buckets such a
 * score as critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9, so each Qualys level lands in one bucket:
 * 5 critical, 4 high, 3 medium, 2 and 1 low.
 */
export const SEVERITY_SCORE: Readonly<Record<Severity, number>> = {
  1: 2.0,
  2: 3.9,
  3: 5.5,
  4: 8.0,
  5: 9.5,
};

/** SARIF `properties.security-severity`: `SEVERITY_SCORE` as text with one decimal ("2.0", "9.5"). */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = Object.fromEntries(
  SEVERITIES.map((severity) => [severity, SEVERITY_SCORE[severity].toFixed(1)]),
) as Record<Severity, string>;

/** SARIF `level`: 4 and 5 are errors, 3 a warning, 1 and 2 notes. */
export function sarifLevel(severity: Severity | undefined): "error" | "warning" | "note" {
  if (severity === undefined) return "warning";
  return severity >= 4 ? "error" : severity === 3 ? "warning" : "note";
}

/** Counts per level, index 0 is severity 1. */
export type SeverityCounts = [number, number, number, number, number];

export function emptyCounts(): SeverityCounts {
  return [0, 0, 0, 0, 0];
}
