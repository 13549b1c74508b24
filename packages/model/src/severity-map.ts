/**
 * A severity map file: the user's cells of the label table (severity-labels.ts), by finding kind and Qualys
 * severity, laid over the default CHMLI table. JSON or YAML (YAML is a superset of JSON):
 *
 * ```yaml
 * VULNERABILITY: { "4": High, "5": Critical }
 * INFORMATION_GATHERED: { "3": Medium }
 * ```
 */

import { QualysConfigError } from "@qualys-connector/client";
import { parse as parseYaml } from "yaml";
import { SEVERITIES, type Severity } from "./severity.js";
import {
  DEFAULT_SEVERITY_LABELS,
  type FindingKind,
  type SeverityLabelMap,
  severityLabels,
} from "./severity-labels.js";

const KINDS = Object.keys(DEFAULT_SEVERITY_LABELS) as FindingKind[];
/** A label is a short word or two shown in tables and stored per finding. */
const LABEL_MAX = 64;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The label map a severity map file describes. `source` names the file in errors; every problem is listed (a
 * `QualysConfigError`), each naming the bad key or value.
 */
export function parseSeverityMap(text: string, source: string): SeverityLabelMap {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new QualysConfigError([
      `${source}: not valid JSON or YAML: ${(error as Error).message.split("\n")[0] ?? ""}`,
    ]);
  }
  if (!isRecord(data)) {
    throw new QualysConfigError([
      `${source}: a severity map is an object of finding kinds (${KINDS.join(", ")})`,
    ]);
  }
  const problems: string[] = [];
  const overrides: Partial<Record<FindingKind, Partial<Record<Severity, string>>>> = {};
  for (const [kind, cells] of Object.entries(data)) {
    if (!(KINDS as string[]).includes(kind)) {
      problems.push(`${source}: unknown finding kind ${JSON.stringify(kind)} (expected ${KINDS.join(", ")})`);
      continue;
    }
    if (!isRecord(cells)) {
      problems.push(`${source}: ${kind} must map severities 1 to 5 to labels, as { "1": "Low", … }`);
      continue;
    }
    const own: Partial<Record<Severity, string>> = {};
    for (const [key, label] of Object.entries(cells)) {
      const severity = SEVERITIES.find((s) => String(s) === key.trim());
      if (severity === undefined) {
        problems.push(`${source}: ${kind}: ${JSON.stringify(key)} is not a severity (1 to 5)`);
      } else if (typeof label !== "string" || label.trim() === "") {
        problems.push(
          `${source}: ${kind}.${key}: the label must be a non-empty text, not ${JSON.stringify(label)}`,
        );
      } else if (label.trim().length > LABEL_MAX || /\p{Cc}/u.test(label)) {
        problems.push(
          `${source}: ${kind}.${key}: the label must be one line of at most ${LABEL_MAX} characters`,
        );
      } else own[severity] = label.trim();
    }
    overrides[kind as FindingKind] = own;
  }
  if (problems.length > 0) throw new QualysConfigError(problems);
  return severityLabels(overrides);
}
