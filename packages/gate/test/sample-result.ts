/** A gate result with hostile text in every field that comes from a scanned web app, for the writer tests. */

import { fingerprint } from "@qualys-connector/model";
import { EXIT_CODES, evaluate, type GateFinding, type GateResult, normalizePolicy } from "../src/index.js";

export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>]]>&amp;|=cmd|' /C calc'!A0`;
/**
 * HOSTILE read as KnowledgeBase HTML, as a reader sees it: the script and the image are markup and gone (the
 * script with its content), the entity decoded, the rest text.
 */
export const HOSTILE_AS_KB_TEXT = `]]>&|=cmd|' /C calc'!A0`;

function finding(n: number, overrides: Partial<GateFinding> = {}): GateFinding {
  const url = `https://shop.example/item?id=${n}&q=${encodeURIComponent(HOSTILE)}`;
  return {
    fingerprint: fingerprint({ target: "1000002", qid: 150000 + n, url, param: "q" }),
    qid: 150000 + n,
    title: `Reflected XSS ${n} ${HOSTILE}`,
    severity: ((n % 5) + 1) as 1 | 2 | 3 | 4 | 5,
    target: "1000002",
    url,
    param: "q",
    authenticated: n % 2 === 0,
    unauthenticated: n % 2 === 1,
    instances: 1,
    potential: false,
    definition: {
      qid: 150000 + n,
      title: `Reflected XSS ${n}`,
      severity: ((n % 5) + 1) as 1 | 2 | 3 | 4 | 5,
      category: "Web Application",
      vulnType: "Vulnerability",
      diagnosis: `Diagnosis ${HOSTILE}`,
      consequence: undefined,
      solution: `Encode output. ${HOSTILE}`,
      cves: [],
      cvssV2Base: undefined,
      cvssV3Base: 6.1,
      cvssV3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
      pci: true,
      cwe: ["CWE-79"],
      owasp: ["A03"],
      wasc: ["WASC-8"],
    },
    disposition: "counted",
    isNew: true,
    ...overrides,
  };
}

/** A failing WAS result: 6 findings of every severity, one excepted, one excluded, a warn criterion. */
export function sampleResult(): GateResult {
  const findings = [0, 1, 2, 3, 4, 5].map((n) => finding(n));
  const excepted = findings[4];
  if (excepted) {
    excepted.disposition = "excepted";
    excepted.exceptionId = "accepted-risk-1";
  }
  const excluded = findings[5];
  if (excluded) excluded.disposition = "excluded";
  const sev5 = findings.filter((f) => f.severity === 5 && f.disposition === "counted");
  return {
    schemaVersion: 1,
    tool: { name: "qualys-connector", version: "0.1.0" },
    generatedAt: "2026-12-01T12:00:00.000Z",
    verdict: "failed",
    exitCode: 1,
    reason: "failed: Severity 5 vulnerabilities: 1, more than 0",
    scan: {
      kind: "was",
      id: "4242",
      name: `pipeline_azureDevOps_build_7_${HOSTILE}`,
      reference: "was/1764590400000.4242",
      status: "FINISHED",
      resultsStatus: "FINISHED",
      authStatus: "SUCCESSFUL",
      launchedDate: "2026-12-01T11:50:00Z",
      durationSec: 600,
      target: {
        id: "1000002",
        name: `scenario-vulnerable ${HOSTILE}`,
        url: "https://vulnerable.scenario.example/",
      },
      portalUrl:
        "https://qualysguard.qg2.apps.qualys.com/was/#/reports/online-reports/email-report/scan/4242",
    },
    incomplete: undefined,
    resultsAvailable: true,
    severityCounts: {
      counted: [1, 1, 1, 1, 1],
      notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 0, 0, 0, 0] },
      inBaseline: undefined,
      fromFindings: [1, 1, 1, 1, 1],
      fromStats: [1, 1, 1, 1, 2],
      differ: true,
    },
    criteria: [
      {
        id: "severity-count-5",
        label: "Severity 5 vulnerabilities: more than 0 fails",
        action: "fail",
        configured: "> 0",
        actual: "1",
        outcome: "fail",
        newOnly: false,
        findings: sev5.map((f) => f.fingerprint),
      },
      {
        id: "severity-count-4",
        label: "Severity 4 vulnerabilities: more than 2 fails",
        action: "fail",
        configured: "> 2",
        actual: "1",
        outcome: "pass",
        newOnly: false,
        findings: [],
      },
      {
        id: "qids",
        label: "Any of these QIDs",
        action: "warn",
        configured: "150001-150002",
        actual: "150001, 150002",
        outcome: "warn",
        newOnly: true,
        findings: [findings[1]?.fingerprint ?? "", findings[2]?.fingerprint ?? ""],
      },
      {
        id: "scan-complete",
        label: "WAS could scan the web application",
        action: "fail",
        configured: "scan finished with a clean results status",
        actual: "FINISHED / FINISHED",
        outcome: "pass",
        newOnly: false,
        findings: [],
      },
    ],
    findings,
    exceptions: [
      {
        id: "accepted-risk-1",
        reason: `Compensating WAF rule ${HOSTILE}`,
        expires: "2027-01-31",
        status: "applied",
        matched: 1,
        scope: "QID 150004",
      },
      {
        id: "old-one",
        reason: "Fixed in release 12",
        expires: "2026-01-01",
        status: "expired",
        matched: 0,
        scope: "QID 150003 on web app 1000002",
      },
    ],
    warnings: ["severity counts differ: findings list 1/1/1/1/1, scan statistics 1/1/1/1/2 (severity 1..5)"],
    error: undefined,
    apiCalls: { launch: 1, status: 4, download: 1, kb: 1 },
  };
}

/** A passing result with no findings. */
export function cleanResult(): GateResult {
  const base = sampleResult();
  return {
    ...base,
    verdict: "passed",
    exitCode: 0,
    reason: "passed: all criteria satisfied",
    findings: [],
    criteria: base.criteria.map((c) => ({ ...c, outcome: "pass", actual: "0", findings: [] })),
    exceptions: [],
    warnings: [],
    severityCounts: {
      counted: [0, 0, 0, 0, 0],
      notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 0, 0, 0, 0] },
      inBaseline: undefined,
      fromFindings: [0, 0, 0, 0, 0],
      fromStats: [0, 0, 0, 0, 0],
      differ: false,
    },
  };
}

/** A tool error before any scan existed. */
export function errorResult(): GateResult {
  const base = cleanResult();
  return {
    ...base,
    verdict: "error",
    exitCode: 3,
    reason: "error: Qualys rejected the credentials (INVALID_CREDENTIALS)",
    scan: undefined,
    criteria: [],
    error: { kind: "auth", message: "Qualys rejected the credentials (INVALID_CREDENTIALS)" },
    resultsAvailable: false,
    severityCounts: {
      counted: [0, 0, 0, 0, 0],
      notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 0, 0, 0, 0] },
      inBaseline: undefined,
      fromFindings: [0, 0, 0, 0, 0],
      fromStats: undefined,
      differ: false,
    },
  };
}

/** Text a scanned host controls (reverse DNS, OS banner): markup, a table pipe and a CDATA terminator. */
export const HOSTILE_DNS = `db<img src=x onerror=alert(1)>|x.corp.example`;
export const HOSTILE_OS = `Windows Server 2019 | <img src=x onerror=alert(1)> ]]>`;
/** Scanner evidence (`results`) quoting what the host sent back. */
export const HOSTILE_EVIDENCE = `SSH-2.0-OpenSSH_7.4\n<script>alert("evidence")</script>\n]]></failure><injected/>\n\tpath: C:\\Windows|x`;

interface VmFindingSpec {
  qid: number;
  title: string;
  severity: 1 | 2 | 3 | 4 | 5;
  ip: keyof typeof VM_HOSTS;
  port?: string;
  protocol?: string;
  potential?: boolean;
  cves?: string[];
  cvssV2Base?: number;
  cvssV3Base?: number;
  pci?: boolean;
  results?: string;
  disposition?: GateFinding["disposition"];
}

const VM_HOSTS = {
  "10.0.0.5": { ip: "10.0.0.5", dns: "web01.corp.example", netbios: "WEB01", os: "Ubuntu 22.04" },
  "10.0.0.6": { ip: "10.0.0.6", dns: HOSTILE_DNS, netbios: undefined, os: HOSTILE_OS },
} as const;

function vmFinding(spec: VmFindingSpec): GateFinding {
  const host = VM_HOSTS[spec.ip];
  // The same recipe as the model's vmScanFindings: host, QID and protocol/port.
  const where = spec.port ? `${spec.protocol ?? "tcp"}/${spec.port}` : undefined;
  return {
    fingerprint: fingerprint({ target: spec.ip, qid: spec.qid, param: where }),
    qid: spec.qid,
    title: spec.title,
    severity: spec.severity,
    target: spec.ip,
    url: undefined,
    param: undefined,
    authenticated: undefined,
    unauthenticated: undefined,
    instances: 1,
    potential: spec.potential ?? false,
    definition: {
      qid: spec.qid,
      title: spec.title,
      severity: spec.severity,
      category: "General remote services",
      vulnType: spec.potential ? "Potential Vulnerability" : "Vulnerability",
      diagnosis: `Diagnosis of ${spec.qid}`,
      consequence: undefined,
      solution: `Apply the vendor update for QID ${spec.qid}. ${HOSTILE}`,
      cves: spec.cves ?? [],
      cvssV2Base: spec.cvssV2Base,
      cvssV3Base: spec.cvssV3Base,
      cvssV3Vector:
        spec.cvssV3Base === undefined ? undefined : "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      pci: spec.pci ?? false,
      cwe: [],
      owasp: [],
      wasc: [],
    },
    host: { ...host },
    port: spec.port,
    protocol: spec.port ? (spec.protocol ?? "tcp") : undefined,
    results: spec.results,
    disposition: spec.disposition ?? "counted",
    isNew: true,
  };
}

/**
 * A failing VM result over two hosts (the Jenkins VM connector's criteria): confirmed and potential
 * detections, one potential detection not evaluated, CVEs, CVSS v2 and v3, PCI flags, hostile DNS, OS and
 * evidence text on the second host.
 */
export function vmSampleResult(): GateResult {
  const findings = [
    vmFinding({
      qid: 38739,
      title: "OpenSSH Multiple Vulnerabilities",
      severity: 5,
      ip: "10.0.0.5",
      port: "22",
      cves: ["CVE-2023-38408", "CVE-2023-48795", "CVE-2023-51385", "CVE-2023-51384", "CVE-2021-41617"],
      cvssV2Base: 7.5,
      cvssV3Base: 9.8,
      pci: true,
      results: HOSTILE_EVIDENCE,
    }),
    vmFinding({
      qid: 38170,
      title: "SSL Certificate - Subject Common Name Does Not Match Server FQDN",
      severity: 2,
      ip: "10.0.0.5",
      port: "443",
      cvssV2Base: 9.4,
      pci: true,
    }),
    vmFinding({
      qid: 105228,
      title: `Unix Account With Empty Password ${HOSTILE}`,
      severity: 3,
      ip: "10.0.0.5",
      cvssV3Base: 5.3,
    }),
    vmFinding({
      qid: 38628,
      title: "SSL/TLS Server supports TLSv1.0",
      severity: 3,
      ip: "10.0.0.5",
      port: "443",
      potential: true,
      cvssV3Base: 6.5,
      disposition: "potential",
    }),
    vmFinding({
      qid: 91849,
      title: "Microsoft Windows Security Update for November 2026",
      severity: 4,
      ip: "10.0.0.6",
      port: "445",
      cves: ["CVE-2026-21001"],
      cvssV2Base: 7.2,
      pci: true,
    }),
    vmFinding({
      qid: 82003,
      title: "ICMP Timestamp Request",
      severity: 1,
      ip: "10.0.0.6",
      cves: ["CVE-1999-0524"],
      cvssV2Base: 0,
    }),
    vmFinding({
      qid: 90882,
      title: "Windows Remote Desktop Protocol Weak Encryption Method Allowed",
      severity: 2,
      ip: "10.0.0.6",
      port: "3389",
      potential: true,
      results: `RDP Supported Encryption Methods: ${HOSTILE}`,
      disposition: "potential",
    }),
  ];
  const at = (index: number): string => findings[index]?.fingerprint ?? "";
  return {
    schemaVersion: 1,
    tool: { name: "qualys-connector", version: "0.1.0" },
    generatedAt: "2026-12-01T12:00:00.000Z",
    verdict: "failed",
    exitCode: 1,
    reason: "failed: Severity 5 vulnerabilities: 1, more than 0",
    scan: {
      kind: "vm",
      id: "scan/1764590400.12345",
      name: "pipeline_jenkins_build_7",
      reference: undefined,
      status: "Finished",
      resultsStatus: undefined,
      authStatus: undefined,
      launchedDate: "2026-12-01T11:20:00Z",
      durationSec: 2400,
      target: { id: "10.0.0.5,10.0.0.6", name: undefined, url: undefined },
      portalUrl: undefined,
    },
    incomplete: undefined,
    resultsAvailable: true,
    // Two of the seven detections are potential and not evaluated: severities 2 and 3.
    severityCounts: {
      counted: [1, 1, 1, 1, 1],
      notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 1, 1, 0, 0] },
      inBaseline: undefined,
      fromFindings: [1, 2, 2, 1, 1],
      fromStats: undefined,
      differ: false,
    },
    criteria: [
      {
        id: "severity-count-5",
        label: "Severity 5 vulnerabilities: more than 0 fails",
        action: "fail",
        configured: "> 0",
        actual: "1",
        outcome: "fail",
        newOnly: false,
        findings: [at(0)],
      },
      {
        id: "cves",
        label: "Any of these CVEs",
        action: "fail",
        configured: "CVE-2023-48795, CVE-2026-21001",
        actual: "CVE-2023-48795, CVE-2026-21001",
        outcome: "fail",
        newOnly: false,
        findings: [at(0), at(4)],
      },
      {
        id: "cvss",
        label: "Any vulnerability with a CVSS v2 or v3 base score of 9 or more",
        action: "warn",
        configured: ">= 9 (higher of v2 and v3)",
        actual: "2 (highest 9.8)",
        outcome: "warn",
        newOnly: false,
        findings: [at(0), at(1)],
      },
      {
        id: "pci",
        label: "PCI vulnerabilities",
        action: "fail",
        configured: "none",
        actual: "3",
        outcome: "fail",
        newOnly: false,
        findings: [at(0), at(1), at(4)],
      },
    ],
    findings,
    hosts: [
      {
        ...VM_HOSTS["10.0.0.5"],
        confirmed: [0, 1, 1, 0, 1],
        potential: [0, 0, 1, 0, 0],
        information: 42,
      },
      {
        ...VM_HOSTS["10.0.0.6"],
        confirmed: [1, 0, 0, 1, 0],
        potential: [0, 1, 0, 0, 0],
        information: 7,
      },
    ],
    exceptions: [],
    warnings: [],
    error: undefined,
    apiCalls: { launch: 1, status: 6, download: 1 },
  };
}

/**
 * A WAS scan that ended in ERROR and gave no results, evaluated by `evaluate` itself with two severity criteria:
 * what a run produces when there is nothing to judge the criteria by.
 */
export function erroredScanResult(onIncomplete: "fail" | "warn" = "fail"): GateResult {
  const base = cleanResult();
  const scan = base.scan && { ...base.scan, status: "ERROR", resultsStatus: "SCAN_INTERNAL_ERROR" };
  const evaluation = evaluate(
    {
      scan,
      findings: [],
      statsCounts: undefined,
      completion: { complete: false, reason: "scan 4242 ended ERROR (results status SCAN_INTERNAL_ERROR)" },
      resultsAvailable: false,
      baseline: undefined,
      completionLabel: "WAS could scan the web application",
    },
    normalizePolicy({ maxSeverityCount: "5=0,4=2", onIncomplete }, undefined),
    new Date(base.generatedAt),
  );
  return { ...base, ...evaluation, scan, exitCode: EXIT_CODES[evaluation.verdict] };
}
