/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for code scanning dashboards
 * (GitHub code scanning, Azure DevOps SARIF viewer, GitLab). One rule per QID, one result per finding. DAST
 * findings have no source file, so a result is located by the URL where the scanner found it; a VM detection by
 * a logical location naming the host and port.
 */

import { kbHtmlToText, SECURITY_SEVERITY, type Severity, sarifLevel } from "@qualys-connector/model";
import type { GateFinding, GateResult } from "../result.js";
import { findingLocation, hostEndpoint } from "./report-text.js";
import { reportText } from "./xml-text.js";

// Members typed `| undefined` are left out of the output: JSON.stringify drops undefined properties.

interface SarifText {
  text: string;
}

type SarifLevel = ReturnType<typeof sarifLevel>;

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifText;
  fullDescription: SarifText | undefined;
  help: SarifText | undefined;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; "security-severity": string | undefined; precision: "high" };
}

interface SarifPhysicalLocation {
  physicalLocation: { artifactLocation: { uri: string } };
}

/**
 * A VM detection: a physical location with a `tcp://ip:port` style URI (GitHub code scanning rejects a whole
 * upload when a result has no artifact location), plus the host and port as a logical location (SARIF 3.33:
 * `kind` is open-ended; "resource" says it is neither code nor data).
 */
interface SarifHostLocation extends SarifPhysicalLocation {
  logicalLocations: { name: string; fullyQualifiedName: string; kind: "resource" }[];
}

type SarifLocation = SarifPhysicalLocation | SarifHostLocation;

interface SarifSuppression {
  kind: "external";
  status: "accepted";
  justification: string;
  properties: { exceptionId: string } | undefined;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifText;
  locations: SarifLocation[] | undefined;
  partialFingerprints: Record<string, string>;
  suppressions: SarifSuppression[] | undefined;
  properties: {
    qid: number;
    severity: Severity | undefined;
    authenticated: boolean | undefined;
    isNew: boolean;
    disposition: GateFinding["disposition"];
    // VM only (undefined, hence absent, for WAS): the facts the CVE, CVSS and PCI criteria look at.
    potential: boolean | undefined;
    cves: string[] | undefined;
    cvssV2Base: number | undefined;
    cvssV3Base: number | undefined;
    pci: boolean | undefined;
  };
}

interface SarifNotification {
  level: "error" | "warning";
  message: SarifText;
}

const INFORMATION_URI = "https://github.com/qualys-connector/qualys-connector";

/**
 * Key of the stable fingerprint in `partialFingerprints`. Versioned, as the spec recommends for `partialFingerprints`, so a future change
 * of the fingerprint recipe can use a new key instead of silently reopening every alert.
 */
const FINGERPRINT_KEY = "qualysFingerprint/v1";

/** Renders the gate result as a SARIF 2.1.0 log (JSON text, 2-space indent). */
export function renderSarif(result: GateResult): string {
  const rules: SarifRule[] = [];
  const ruleIndexByQid = new Map<number, number>();
  const exceptionReasons = new Map(result.exceptions.map((e) => [e.id, e.reason]));
  const results: SarifResult[] = [];
  for (const finding of result.findings) {
    let ruleIndex = ruleIndexByQid.get(finding.qid);
    if (ruleIndex === undefined) {
      ruleIndex = rules.length;
      ruleIndexByQid.set(finding.qid, ruleIndex);
      rules.push(toRule(finding));
    }
    const vm = finding.host !== undefined;
    results.push({
      ruleId: ruleId(finding.qid),
      ruleIndex,
      level: sarifLevel(finding.severity),
      message: { text: findingMessage(finding) },
      locations: locations(finding, result),
      partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
      suppressions: suppressions(finding, exceptionReasons),
      properties: {
        qid: finding.qid,
        severity: finding.severity,
        authenticated: finding.authenticated,
        isNew: finding.isNew,
        disposition: finding.disposition,
        potential: vm ? finding.potential : undefined,
        cves: vm ? (finding.definition?.cves ?? []) : undefined,
        cvssV2Base: vm ? finding.definition?.cvssV2Base : undefined,
        cvssV3Base: vm ? finding.definition?.cvssV3Base : undefined,
        pci: vm ? finding.definition?.pci : undefined,
      },
    });
  }

  const scan = result.scan;
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "qualys-connector",
            version: result.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        // `runAutomationDetails.id` is "category/run id": the trailing slash makes it a category, so GitHub keeps one analysis per
        // scanned target and a later scan of the same target replaces it. Without a scan there is no target.
        automationDetails: scan === undefined ? undefined : { id: `qualys-${scan.kind}/${scan.target.id}/` },
        invocations: [
          {
            executionSuccessful: result.verdict !== "error",
            exitCode: result.exitCode,
            exitCodeDescription: result.reason,
            toolExecutionNotifications: nonEmpty(notifications(result)),
          },
        ],
        results,
        properties: {
          verdict: result.verdict,
          scanId: scan?.id,
          scanName: scan?.name,
          portalUrl: scan?.portalUrl,
          resultsAvailable: result.resultsAvailable,
          // Index 0 = severity 1, as in result.json: what the criteria counted, and the rest by reason. Without
          // results there is nothing to count, and zeros would read as a clean scan.
          countedBySeverity: result.resultsAvailable ? result.severityCounts.counted : undefined,
          notCountedBySeverity: result.resultsAvailable ? result.severityCounts.notCounted : undefined,
        },
      },
    ],
  };
  // Every string, whatever member holds it, is well-formed and free of NUL and bidirectional overrides.
  return JSON.stringify(
    log,
    (_key, value: unknown) => (typeof value === "string" ? reportText(value) : value),
    2,
  );
}

function ruleId(qid: number): string {
  return `QID-${qid}`;
}

/** The rule of a QID, described by its KnowledgeBase definition where known, else by the finding itself. */
function toRule(finding: GateFinding): SarifRule {
  const definition = finding.definition;
  const title = definition?.title ?? finding.title;
  const severity = finding.severity ?? definition?.severity;
  return {
    id: ruleId(finding.qid),
    name: ruleName(title, finding.qid),
    shortDescription: { text: title },
    // `text` members are plain text (SARIF 3.11.3): the KnowledgeBase HTML is converted, not passed on.
    fullDescription: textOrUndefined(kbHtmlToText(definition?.diagnosis)),
    help: textOrUndefined(kbHtmlToText(definition?.solution)),
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: {
      tags: ["security", ...cweTags(definition?.cwe ?? [])],
      "security-severity": severity === undefined ? undefined : SECURITY_SEVERITY[severity],
      precision: "high",
    },
  };
}

/**
 * `reportingDescriptor.name` is meant to be an identifier-like word (the spec's example: "NullDereference"), so the title is
 * reduced to its letters and digits in PascalCase; a title with neither falls back to the QID.
 */
function ruleName(title: string, qid: number): string {
  const words = title.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return name === "" ? `Qid${qid}` : name;
}

/** CWE ids as tags of the form `external/cwe/cwe-79`, the form CodeQL uses and GitHub code scanning shows. */
function cweTags(cwes: readonly string[]): string[] {
  const tags = new Set<string>();
  for (const cwe of cwes) {
    const match = /^(?:CWE-)?(\d+)$/i.exec(cwe.trim());
    if (match?.[1] !== undefined) tags.add(`external/cwe/cwe-${Number(match[1])}`);
  }
  return [...tags];
}

function textOrUndefined(text: string | undefined): SarifText | undefined {
  return text === undefined || text.trim() === "" ? undefined : { text };
}

function findingMessage(finding: GateFinding): string {
  const location = findingLocation(finding);
  const at = location ? ` at ${location}` : "";
  const param = finding.param ? ` (parameter ${finding.param})` : "";
  return `${finding.title}${at}${param}`;
}

/**
 * Located at the finding's URL; else, for a VM detection, at its host and port (as a `tcp://ip:port` URI and as
 * a logical location); else at the scanned web app's URL. A result with none of these has no location.
 */
function locations(finding: GateFinding, result: GateResult): SarifLocation[] | undefined {
  if (finding.url) return [physicalLocation(finding.url)];
  const endpoint = hostEndpoint(finding);
  if (endpoint) {
    return [
      {
        ...physicalLocation(hostUri(finding)),
        logicalLocations: [{ name: endpoint, fullyQualifiedName: endpoint, kind: "resource" }],
      },
    ];
  }
  const appUrl = result.scan?.target.url;
  return appUrl ? [physicalLocation(appUrl)] : undefined;
}

/** `tcp://10.0.0.5:443`, `udp://10.0.0.5:161`, or `host://10.0.0.5` when the detection has no port. */
function hostUri(finding: GateFinding): string {
  const ip = finding.host?.ip ?? finding.target;
  const host = ip.includes(":") ? `[${ip}]` : ip;
  const protocol = (finding.protocol ?? "tcp").toLowerCase().replace(/[^a-z0-9+.-]/g, "") || "tcp";
  return finding.port ? `${protocol}://${host}:${finding.port}` : `host://${host}`;
}

function physicalLocation(url: string): SarifPhysicalLocation {
  return { physicalLocation: { artifactLocation: { uri: toUriReference(url) } } };
}

/**
 * `artifactLocation.uri` must be a URI reference, but a scanned app's URL arrives as the scanner saw it and
 * may hold spaces, quotes or non-ASCII text. Characters RFC 3986 does not allow are percent-encoded (as UTF-8) and
 * a `%` that starts no percent-encoding becomes `%25`; existing encodings are kept, so a valid URL is unchanged.
 * The message text keeps the URL exactly as reported.
 */
function toUriReference(url: string): string {
  return url.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu, (char) =>
    // A lone surrogate (one code point under the `u` flag) has no UTF-8 form: encodeURIComponent would throw.
    encodeURIComponent(/^[\uD800-\uDFFF]$/u.test(char) ? "\uFFFD" : char),
  );
}

/**
 * Excepted and excluded findings are still reported, marked as suppressed, so a dashboard shows them as accepted
 * instead of losing track of them.
 */
function suppressions(
  finding: GateFinding,
  exceptionReasons: ReadonlyMap<string, string>,
): SarifSuppression[] | undefined {
  switch (finding.disposition) {
    case "counted":
      return undefined;
    case "excluded":
      return [
        {
          kind: "external",
          status: "accepted",
          justification: "QID or CVE excluded by policy",
          properties: undefined,
        },
      ];
    case "potential":
      return [
        {
          kind: "external",
          status: "accepted",
          justification: "potential vulnerability, not evaluated (no --include-potential)",
          properties: undefined,
        },
      ];
    case "excepted": {
      const id = finding.exceptionId;
      const reason = id === undefined ? undefined : exceptionReasons.get(id);
      return [
        {
          kind: "external",
          status: "accepted",
          justification: reason ?? `exception ${id ?? "(unknown)"}`,
          properties: id === undefined ? undefined : { exceptionId: id },
        },
      ];
    }
  }
}

/** Run problems as the invocation's tool execution notifications, so they are visible next to the results. */
function notifications(result: GateResult): SarifNotification[] {
  const list: SarifNotification[] = [];
  if (result.error !== undefined) {
    list.push({ level: "error", message: { text: `${result.error.kind}: ${result.error.message}` } });
  }
  if (result.incomplete !== undefined) {
    list.push({
      level: result.incomplete.handling === "fail" ? "error" : "warning",
      message: { text: `scan incomplete: ${result.incomplete.reason}` },
    });
  }
  for (const criterion of result.criteria) {
    if (criterion.outcome !== "not-evaluated") continue;
    list.push({
      level: "warning",
      message: {
        text: `criterion not evaluated: ${criterion.label} (${criterion.notEvaluatedReason ?? "the scan gave no answer"})`,
      },
    });
  }
  for (const warning of result.warnings) list.push({ level: "warning", message: { text: warning } });
  return list;
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}
