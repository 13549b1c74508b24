/**
 * Baselines: the findings a team has already seen, keyed by the stable fingerprint (web app, QID, normalized
 * URL, parameter; model/fingerprint.ts), so a criterion marked `newOnly` fails only on what is new.
 */

import { readFileSync } from "node:fs";
import { OptionError, type OptionMessage, opt, optionMessage } from "@qualys-connector/client";
import type { ScanFinding } from "@qualys-connector/model";

export interface BaselineEntry {
  fingerprint: string;
  qid: number;
  title: string;
  url: string | undefined;
  param: string | undefined;
}

export interface Baseline {
  kind: "qualys-connector-baseline";
  version: 1;
  createdAt: string;
  /** Where the findings came from, for people reading the file. */
  source: { scanId: string | undefined; target: string | undefined };
  findings: BaselineEntry[];
}

/** A baseline file that cannot be used; names the `baseline` option; `messageWith` lets a CLI say its flag. */
export class BaselineError extends OptionError {
  readonly option = "baseline";
  constructor(message: string | OptionMessage) {
    super(message);
    this.name = "BaselineError";
  }
}

/** A baseline of these findings, sorted by fingerprint so the file diffs well in review. */
export function createBaseline(
  findings: readonly ScanFinding[],
  source: Baseline["source"],
  now: Date,
): Baseline {
  const unique = new Map<string, BaselineEntry>();
  for (const f of findings) {
    unique.set(f.fingerprint, {
      fingerprint: f.fingerprint,
      qid: f.qid,
      title: f.title,
      url: f.url,
      param: f.param,
    });
  }
  return {
    kind: "qualys-connector-baseline",
    version: 1,
    createdAt: now.toISOString(),
    source,
    findings: [...unique.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
  };
}

/** Read a baseline file; a missing, unreadable or foreign file is a BaselineError naming it. */
export function readBaseline(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(
      optionMessage`${opt("baseline")} ${file}: ${code ? `cannot be read (${code})` : `not JSON: ${(error as Error).message}`}`,
    );
  }
  const record = data as Partial<Baseline> | null;
  if (record?.kind !== "qualys-connector-baseline" || record.version !== 1 || !Array.isArray(record.findings))
    throw new BaselineError(
      optionMessage`${opt("baseline")} ${file}: not a qualys-connector baseline (create one with \`qualys-connector baseline create\`)`,
    );
  for (const [index, entry] of record.findings.entries()) {
    if (typeof entry?.fingerprint !== "string" || !/^[0-9a-f]{32}$/.test(entry.fingerprint))
      throw new BaselineError(
        optionMessage`${opt("baseline")} ${file}: findings[${index}] has no valid fingerprint`,
      );
  }
  return record as Baseline;
}
