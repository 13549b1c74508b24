/**
 * result.json: the GateResult with each KnowledgeBase definition stored once per QID instead of once per
 * finding. With 50,000 findings over 600 QIDs, that is the difference between ~110 MB and a fraction of it
 * (bench/gate-evaluate.bench.ts).
 */

import type { VulnerabilityDefinition } from "@qualys-connector/model";
import type { GateFinding, GateResult } from "./result.js";

export type ResultFileFinding = Omit<GateFinding, "definition">;

export interface GateResultFile extends Omit<GateResult, "findings" | "resultsAvailable"> {
  findings: ResultFileFinding[];
  /** Absent in files written before the field existed; those always had results. */
  resultsAvailable?: boolean;
  /** KnowledgeBase definitions by QID, for the findings above. */
  definitions: Record<string, VulnerabilityDefinition>;
}

export function toResultFile(result: GateResult): GateResultFile {
  const definitions: Record<string, VulnerabilityDefinition> = {};
  const findings = result.findings.map(({ definition, ...finding }) => {
    if (definition) definitions[String(finding.qid)] = definition;
    return finding;
  });
  return { ...result, findings, definitions };
}

export function fromResultFile(file: GateResultFile): GateResult {
  const { definitions, ...rest } = file;
  return {
    ...rest,
    resultsAvailable: rest.resultsAvailable ?? true,
    findings: file.findings.map((finding) => ({
      ...finding,
      definition: definitions?.[String(finding.qid)],
    })),
  };
}
