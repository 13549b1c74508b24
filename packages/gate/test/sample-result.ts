/** A gate result with hostile text in every field that comes from a scanned web app, for the writer tests. */

import { fingerprint } from "@qualys-connector/model";
import type { GateFinding, GateResult } from "../src/index.js";

export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>]]>&amp;|=cmd|' /C calc'!A0`;

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
    severityCounts: { fromFindings: [1, 1, 1, 1, 1], fromStats: [1, 1, 1, 1, 2], differ: true },
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
    severityCounts: { fromFindings: [0, 0, 0, 0, 0], fromStats: [0, 0, 0, 0, 0], differ: false },
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
    severityCounts: { fromFindings: [0, 0, 0, 0, 0], fromStats: undefined, differ: false },
  };
}
