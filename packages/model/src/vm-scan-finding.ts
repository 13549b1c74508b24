/**
 * VM detections from a `json_extended` scan fetch (docs/qualys-api.md 4.3) as scan findings, and per-host
 * counts. Rows of type `Vuln` are confirmed, `Practice` potential, `Ig` information gathered (never a
 * finding, only counted).
 */

import type { VmScanResults, VmScanRow } from "@qualys-connector/client";
import { fingerprint } from "./fingerprint.js";
import type { HostRef, ScanFinding } from "./scan-finding.js";
import { emptyCounts, type SeverityCounts, toSeverity } from "./severity.js";
import type { VulnerabilityDefinition } from "./vulnerability-definition.js";

/** Evidence text kept per finding; the scanner's output can be long and is shown only as an excerpt. */
export const RESULTS_MAX = 4000;

export type VmRowKind = "confirmed" | "potential" | "information";

export function vmRowKind(row: Pick<VmScanRow, "type">): VmRowKind {
  const type = (row.type ?? "").toLowerCase();
  if (type === "practice" || type === "potential") return "potential";
  if (type === "ig" || type === "info" || type === "information") return "information";
  return "confirmed";
}

export interface HostSummary extends HostRef {
  confirmed: SeverityCounts;
  potential: SeverityCounts;
  information: number;
}

function hostOf(row: VmScanRow): HostRef {
  return { ip: row.ip ?? "", dns: row.dns, netbios: row.netbios, os: row.os };
}

/** The definition the row itself carries, completed from the KnowledgeBase where the row lacks a field. */
function definitionOf(row: VmScanRow, kb: VulnerabilityDefinition | undefined): VulnerabilityDefinition {
  return {
    qid: row.qid,
    title: row.title ?? kb?.title ?? `QID ${row.qid}`,
    severity: toSeverity(row.severity) ?? kb?.severity,
    category: row.category ?? kb?.category,
    vulnType: kb?.vulnType,
    diagnosis: row.threat ?? kb?.diagnosis,
    consequence: row.impact ?? kb?.consequence,
    solution: row.solution ?? kb?.solution,
    cves: row.cveIds.length > 0 ? row.cveIds : (kb?.cves ?? []),
    cvssV2Base: row.cvssBase ?? kb?.cvssV2Base,
    cvssV3Base: row.cvss3Base ?? kb?.cvssV3Base,
    cvssV3Vector: row.cvss3Vector ?? kb?.cvssV3Vector,
    pci: row.pciVuln ?? kb?.pci ?? false,
    cwe: kb?.cwe ?? [],
    owasp: kb?.owasp ?? [],
    wasc: kb?.wasc ?? [],
  };
}

/** QIDs whose rows lack what the gate needs (severity, CVSS, CVEs, solution): the KnowledgeBase completes them. */
export function vmQidsNeedingDefinitions(results: VmScanResults): number[] {
  const qids = new Set<number>();
  for (const row of results.rows) {
    if (vmRowKind(row) === "information") continue;
    if (
      toSeverity(row.severity) === undefined ||
      (row.cvssBase === undefined && row.cvss3Base === undefined) ||
      row.solution === undefined
    )
      qids.add(row.qid);
  }
  return [...qids].sort((a, b) => a - b);
}

/** Confirmed and potential detections as findings (information gathered is left out). */
export function vmScanFindings(
  results: VmScanResults,
  definitions: ReadonlyMap<number, VulnerabilityDefinition>,
): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const row of results.rows) {
    const kind = vmRowKind(row);
    if (kind === "information") continue;
    const definition = definitionOf(row, definitions.get(row.qid));
    const ip = row.ip ?? "";
    const where = row.port ? `${row.protocol ?? "tcp"}/${row.port}` : undefined;
    findings.push({
      fingerprint: fingerprint({ target: ip, qid: row.qid, param: where }),
      qid: row.qid,
      title: definition.title,
      severity: definition.severity,
      target: ip,
      url: undefined,
      param: undefined,
      authenticated: undefined,
      unauthenticated: undefined,
      instances: 1,
      potential: kind === "potential",
      definition,
      host: hostOf(row),
      port: row.port,
      protocol: row.protocol,
      results:
        row.results && row.results.length > RESULTS_MAX
          ? `${row.results.slice(0, RESULTS_MAX)}…`
          : row.results,
    });
  }
  return findings;
}

/** Per host: confirmed and potential vulnerabilities by severity, and the count of information gathered. */
export function vmHostSummaries(
  results: VmScanResults,
  scannedIps: readonly string[] = [],
  definitions: ReadonlyMap<number, VulnerabilityDefinition> = new Map(),
): HostSummary[] {
  const hosts = new Map<string, HostSummary>();
  const summary = (ref: HostRef) => {
    let host = hosts.get(ref.ip);
    if (!host) {
      host = { ...ref, confirmed: emptyCounts(), potential: emptyCounts(), information: 0 };
      hosts.set(ref.ip, host);
    }
    return host;
  };
  for (const ip of scannedIps) summary({ ip, dns: undefined, netbios: undefined, os: undefined });
  for (const row of results.rows) {
    const host = summary(hostOf(row));
    host.dns ??= row.dns;
    host.netbios ??= row.netbios;
    host.os ??= row.os;
    const kind = vmRowKind(row);
    // The same severity the findings get: the row's, else the KnowledgeBase's.
    const severity = toSeverity(row.severity) ?? definitions.get(row.qid)?.severity;
    if (kind === "information") host.information += 1;
    else if (severity !== undefined) {
      const counts = kind === "potential" ? host.potential : host.confirmed;
      counts[severity - 1] = (counts[severity - 1] ?? 0) + 1;
    }
  }
  return [...hosts.values()];
}
