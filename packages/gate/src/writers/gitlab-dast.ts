/**
 * A GitLab DAST security report (`gl-dast-report.json`, uploaded as `artifacts:reports:dast`), so Qualys findings
 * show in GitLab's merge request security widget, pipeline Security tab and vulnerability report. The format is
 * GitLab's dast-report-format, schema version 15.0.7 (security-report-schemas, dist/dast-report-format.json):
 * https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/blob/v15.0.7/dist/dast-report-format.json
 *
 * One vulnerability per counted finding: what the gate evaluated. Excluded, excepted and potential (not evaluated)
 * findings are left out, because GitLab would list them as open vulnerabilities the policy already decided about.
 */

import { createHash } from "node:crypto";
import { kbHtmlToText, SEVERITY_SCORE, type Severity } from "@qualys-connector/model";
import { toIsoUtc } from "../iso-date.js";
import type { GateFinding, GateResult } from "../result.js";
import { excerpt, hostEndpoint } from "./report-text.js";

/** The schema version this writer follows (the report's `version`). */
export const GITLAB_DAST_SCHEMA_VERSION = "15.0.7";

/** GitLab's severity words (the schema's `vulnerabilities[].severity` enum). */
export type GitlabSeverity = "Info" | "Unknown" | "Low" | "Medium" | "High" | "Critical";

// Limits of the schema: `name` maxLength 255, `solution` 7000, `description` 1048576 (characters).
const NAME_MAX = 254;
const SOLUTION_MAX = 6999;
const DESCRIPTION_MAX = 100_000;
/** Evidence is a summary for the widget; the full payloads are in result.json. */
const EVIDENCE_MAX = 2000;

// Members typed `| undefined` are left out of the output: JSON.stringify drops undefined properties.

interface DastIdentifier {
  type: string;
  name: string;
  value: string;
  url: string | undefined;
}

interface DastVulnerability {
  id: string;
  name: string;
  description: string | undefined;
  severity: GitlabSeverity;
  solution: string | undefined;
  identifiers: DastIdentifier[];
  links: { name: string; url: string }[] | undefined;
  location: {
    hostname: string | undefined;
    method: string | undefined;
    param: string | undefined;
    path: string | undefined;
  };
  evidence: { summary: string } | undefined;
}

interface DastReport {
  version: string;
  scan: {
    analyzer: { id: string; name: string; version: string; vendor: { name: string } };
    scanner: { id: string; name: string; version: string; vendor: { name: string } };
    type: "dast";
    start_time: string;
    end_time: string;
    status: "success" | "failure";
    messages: { level: "info" | "warn" | "fatal"; value: string }[] | undefined;
    scanned_resources: { method: string; url: string; type: "url" }[];
  };
  vulnerabilities: DastVulnerability[];
}

/**
 * A Qualys severity as GitLab's word, through its CVSS-like score (`SEVERITY_SCORE`, the one SARIF uses) and the
 * CVSS v3 qualitative bands: 5 Critical, 4 High, 3 Medium, 2 and 1 Low; Unknown when the severity is not known.
 */
export function gitlabSeverity(severity: Severity | undefined): GitlabSeverity {
  if (severity === undefined) return "Unknown";
  const score = SEVERITY_SCORE[severity];
  if (score >= 9) return "Critical";
  if (score >= 7) return "High";
  if (score >= 4) return "Medium";
  return score > 0 ? "Low" : "Info";
}

/** GitLab's time format: ISO 8601 UTC to the second, without a zone designator (`2020-01-28T03:26:02`). */
function gitlabTime(iso: string): string {
  return iso.replace(/(\.\d+)?Z$/, "");
}

/**
 * A stable UUID-shaped id from the finding's fingerprint (the schema recommends a UUID): the same finding has the
 * same id in every run, which keeps golden files and GitLab's view of a finding steady.
 */
function vulnerabilityId(finding: GateFinding): string {
  const hex = createHash("sha256").update(`qualys:${finding.fingerprint}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function identifiers(finding: GateFinding, kind: "was" | "vm"): DastIdentifier[] {
  // The QID first: GitLab treats the first identifier as the primary one, which groups findings across runs.
  const list: DastIdentifier[] = [
    {
      type: kind === "vm" ? "qualys_vm_qid" : "qualys_was_qid",
      name: `Qualys QID ${finding.qid}`,
      value: String(finding.qid),
      url: undefined,
    },
  ];
  for (const cwe of finding.definition?.cwe ?? []) {
    const number =
      /^CWE-(\d+)$/i.exec(cwe.trim())?.[1] ?? (/^\d+$/.test(cwe.trim()) ? cwe.trim() : undefined);
    if (number === undefined) continue;
    list.push({
      type: "cwe",
      name: `CWE-${number}`,
      value: number,
      url: `https://cwe.mitre.org/data/definitions/${number}.html`,
    });
  }
  for (const cve of finding.definition?.cves ?? []) {
    if (!/^CVE-\d{4}-\d{4,}$/.test(cve)) continue;
    list.push({ type: "cve", name: cve, value: cve, url: `https://nvd.nist.gov/vuln/detail/${cve}` });
  }
  return list;
}

/** WAS: the URL split the way GitLab locates a DAST finding (origin, path with query, parameter). */
function location(finding: GateFinding): DastVulnerability["location"] {
  const endpoint = hostEndpoint(finding);
  if (endpoint !== undefined)
    return { hostname: endpoint, method: undefined, param: undefined, path: undefined };
  const param = finding.param || undefined;
  try {
    const url = new URL(finding.url ?? "");
    return { hostname: url.origin, method: undefined, param, path: `${url.pathname}${url.search}` };
  } catch {
    return { hostname: undefined, method: undefined, param, path: finding.url || undefined };
  }
}

function evidence(finding: GateFinding): DastVulnerability["evidence"] {
  const parts: string[] = [];
  if (finding.evidence?.request) parts.push(`Payload: ${finding.evidence.request}`);
  if (finding.evidence?.response) parts.push(`Response: ${finding.evidence.response}`);
  if (finding.results) parts.push(`Results: ${finding.results}`);
  return parts.length === 0 ? undefined : { summary: excerpt(parts.join("\n"), EVIDENCE_MAX) };
}

function vulnerability(finding: GateFinding, kind: "was" | "vm"): DastVulnerability {
  const definition = finding.definition;
  const description = [definition?.diagnosis, definition?.consequence]
    .map((html) => kbHtmlToText(html))
    .filter((text) => text !== "")
    .join("\n\n");
  const solution = kbHtmlToText(definition?.solution);
  return {
    id: vulnerabilityId(finding),
    name: excerpt(finding.title || `QID ${finding.qid}`, NAME_MAX),
    description: description === "" ? undefined : excerpt(description, DESCRIPTION_MAX),
    severity: gitlabSeverity(finding.severity),
    solution: solution === "" ? undefined : excerpt(solution, SOLUTION_MAX),
    identifiers: identifiers(finding, kind),
    links: undefined,
    location: location(finding),
    evidence: evidence(finding),
  };
}

/** The web app's URL and every URL a finding was found at: what the report can say of the scanned surface. */
function scannedResources(result: GateResult): DastReport["scan"]["scanned_resources"] {
  const urls = new Set<string>();
  const add = (text: string | undefined) => {
    if (text && /^https?:\/\//i.test(text)) urls.add(text);
  };
  add(result.scan?.target.url);
  for (const finding of result.findings) add(finding.url);
  return [...urls].map((url) => ({ method: "GET", url, type: "url" as const }));
}

function messages(result: GateResult): DastReport["scan"]["messages"] {
  const list: NonNullable<DastReport["scan"]["messages"]> = [];
  if (result.error !== undefined)
    list.push({ level: "fatal", value: `${result.error.kind}: ${result.error.message}` });
  if (result.incomplete !== undefined)
    list.push({ level: "warn", value: `scan incomplete: ${result.incomplete.reason}` });
  for (const warning of result.warnings) if (warning !== "") list.push({ level: "warn", value: warning });
  list.push({ level: "info", value: result.reason || result.verdict });
  return list;
}

/** Renders the gate result as a GitLab DAST report (JSON text). */
export function renderGitlabDast(result: GateResult): string {
  const kind = result.scan?.kind ?? "was";
  const generated = toIsoUtc(result.generatedAt) ?? `${new Date(0).toISOString().slice(0, 19)}Z`;
  const started = toIsoUtc(result.scan?.launchedDate) ?? generated;
  const duration = result.scan?.durationSec;
  const ended =
    duration !== undefined && result.scan?.launchedDate !== undefined
      ? `${new Date(Date.parse(started) + duration * 1000).toISOString().slice(0, 19)}Z`
      : generated;
  const gaveFullAnswer =
    result.resultsAvailable && result.incomplete === undefined && result.verdict !== "error";
  const report: DastReport = {
    version: GITLAB_DAST_SCHEMA_VERSION,
    scan: {
      analyzer: {
        id: result.tool.name,
        name: "Qualys Connector",
        version: result.tool.version,
        vendor: { name: "Qualys Connector" },
      },
      // Qualys does not report its scanner engine's version through the API the gate uses.
      scanner: {
        id: kind === "vm" ? "qualys-vm" : "qualys-was",
        name: kind === "vm" ? "Qualys VM" : "Qualys WAS",
        version: "unknown",
        vendor: { name: "Qualys" },
      },
      type: "dast",
      start_time: gitlabTime(started),
      end_time: gitlabTime(ended),
      status: gaveFullAnswer ? "success" : "failure",
      messages: messages(result),
      scanned_resources: scannedResources(result),
    },
    vulnerabilities: result.findings
      .filter((finding) => finding.disposition === "counted")
      .map((finding) => vulnerability(finding, kind)),
  };
  if (result.scan?.portalUrl && /^https?:\/\//.test(result.scan.portalUrl))
    for (const v of report.vulnerabilities)
      v.links = [{ name: "Scan in the Qualys portal", url: result.scan.portalUrl }];
  return `${JSON.stringify(report, null, 2)}\n`;
}
