/**
 * A vulnerability found by one scan, as the gates evaluate and report it. WAS scan downloads list each
 * vulnerability with its QID, title, URI, parameter and instances, but no severity (docs/qualys-api.md 3.8),
 * so the severity comes from the KnowledgeBase definition.
 */

import type { WasScanResults } from "@qualys-connector/client";
import { fingerprint } from "./fingerprint.js";
import { type Severity, toSeverity } from "./severity.js";
import type { VulnerabilityDefinition } from "./vulnerability-definition.js";

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
}

export interface HostRef {
  ip: string;
  dns: string | undefined;
  netbios: string | undefined;
  os: string | undefined;
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
    };
  });
}
