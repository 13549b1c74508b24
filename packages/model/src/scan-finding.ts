/**
 * A vulnerability found by one scan, as the gates evaluate and report it. WAS scan downloads list each
 * vulnerability with its QID, title, URI, parameter and instances, but no severity (docs/qualys-api.md 3.8),
 * so the severity comes from the KnowledgeBase definition.
 */

import type { WasScanResults, WasScanVuln } from "@qualys-connector/client";
import { fingerprint } from "./fingerprint.js";
import { type Severity, toSeverity } from "./severity.js";
import { RESULTS_MAX } from "./vm-scan-finding.js";
import type { VulnerabilityDefinition } from "./vulnerability-definition.js";
import type { Evidence } from "./was-records.js";

export interface ScanFinding {
  /** Stable across scans: target, QID, normalized URL, parameter (fingerprint.ts). */
  fingerprint: string;
  qid: number;
  title: string;
  severity: Severity | undefined;
  /** Web app id (WAS) or host IP / instance id (VM). */
  target: string;
  url: string | undefined;
  param: string | undefined;
  /** True when at least one instance was found while authenticated; undefined when the scan does not say. */
  authenticated: boolean | undefined;
  /**
   * True when some instance was found without authentication ("available unauthenticated" in Qualys' Azure
   * DevOps WAS connector).
   */
  unauthenticated: boolean | undefined;
  instances: number;
  /** VM: a potential (unconfirmed) vulnerability. WAS findings are always confirmed. */
  potential: boolean;
  definition: VulnerabilityDefinition | undefined;
  /** VM: the scanned host, and the port and protocol of the detection. */
  host?: HostRef | undefined;
  port?: string | undefined;
  protocol?: string | undefined;
  /** VM: the scanner's evidence text (`results`), cut to RESULTS_MAX characters. */
  results?: string | undefined;
  /**
   * WAS: the scanner's evidence of the first instance that has one: the payload it sent (`request`) and the part
   * of the response it matched (`response`), each cut to RESULTS_MAX characters.
   */
  evidence?: Evidence | undefined;
}

export interface HostRef {
  ip: string;
  dns: string | undefined;
  netbios: string | undefined;
  os: string | undefined;
}

function cut(text: string | undefined): { text: string | undefined; cut: boolean } {
  if (text === undefined || text.length <= RESULTS_MAX) return { text, cut: false };
  return { text: `${text.slice(0, RESULTS_MAX)}…`, cut: true };
}

/** The first payload with any text, across the instances (docs/qualys-api.md 3.8); undefined when none has. */
function scanEvidence(vuln: WasScanVuln): Evidence | undefined {
  for (const instance of vuln.instances) {
    for (const { payload, result } of instance.payloads) {
      if (!payload && !result) continue;
      const request = cut(payload || undefined);
      const response = cut(result || undefined);
      return { request: request.text, response: response.text, truncated: request.cut || response.cut };
    }
  }
  return undefined;
}

/** The vulnerabilities of a WAS scan download, enriched with their KnowledgeBase definitions where known. */
export function wasScanFindings(
  results: WasScanResults,
  definitions: ReadonlyMap<number, VulnerabilityDefinition>,
): ScanFinding[] {
  const target = String(results.scan.webApp?.id ?? "");
  return results.vulns.map((vuln) => {
    const definition = definitions.get(vuln.qid);
    const flags = vuln.instances.map((i) => i.authenticated);
    const known = flags.filter((f): f is boolean => f !== undefined);
    const evidence = scanEvidence(vuln);
    return {
      fingerprint: fingerprint({ target, qid: vuln.qid, url: vuln.uri, param: vuln.param }),
      qid: vuln.qid,
      title: vuln.title || definition?.title || `QID ${vuln.qid}`,
      severity: toSeverity(vuln.severity) ?? definition?.severity,
      target,
      url: vuln.uri,
      param: vuln.param,
      authenticated: known.length > 0 ? known.some((f) => f) : undefined,
      unauthenticated: known.length > 0 ? known.some((f) => !f) : undefined,
      instances: Math.max(1, vuln.instances.length),
      potential: false,
      definition,
      ...(evidence === undefined ? {} : { evidence }),
    };
  });
}
