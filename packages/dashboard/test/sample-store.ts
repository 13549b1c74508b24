/**
 * A SQLite store for the dashboard's tests, written through the store's API: three web apps, findings of every
 * kind and severity, a definition, a history, and hostile text (markup, a `javascript:` URL, formula prefixes,
 * ANSI escapes, bidi overrides) in names, URLs, parameters, titles and evidence.
 */

import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ApplicationRecord, DefinitionRecord, FindingRecord } from "@qualys-connector/model";
import { openStore } from "@qualys-connector/store";

export const HOSTILE = {
  name: `<script>window.__pwned=1</script>\u001b[31mred\u202egnp.exe`,
  title: `=HYPERLINK("http://x.invalid","y") <img src=x onerror="window.__pwned=2;alert(1)">`,
  url: `javascript:window.__pwned=3//"><svg onload=alert(1)>`,
  param: `+cmd|' /C calc'!A0`,
  evidence: `HTTP/1.1 200 OK\n\n<script>window.__pwned=4;alert(document.domain)</script>\u001b[2J`,
};

function application(n: number, fields: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    uid: String(n),
    id: n,
    name: `Web app ${n}`,
    url: `https://app${n}.example.test/`,
    ownerId: undefined,
    tags: [],
    categories: [],
    createdDate: undefined,
    updatedDate: undefined,
    ...fields,
  };
}

export function finding(n: number, fields: Partial<FindingRecord> = {}): FindingRecord {
  const severity = ((n % 5) + 1) as 1 | 2 | 3 | 4 | 5;
  return {
    uid: `uid-${String(n).padStart(4, "0")}`,
    id: 5000 + n,
    webAppId: 1 + (n % 3),
    qid: 150_000 + (n % 4),
    name: `Finding ${n}`,
    type: n % 10 === 0 ? "INFORMATION_GATHERED" : "VULNERABILITY",
    potential: n % 4 === 0,
    status: n % 10 === 0 ? undefined : n % 7 === 0 ? "FIXED" : "ACTIVE",
    severity,
    severityLabel: ["Low", "Low", "Medium", "High", "Critical"][severity - 1],
    url: `https://app${1 + (n % 3)}.example.test/p/${n}`,
    param: n % 2 === 0 ? "q" : undefined,
    firstDetectedDate: `2025-0${1 + (n % 9)}-02T00:00:00Z`,
    lastDetectedDate: `2025-10-${String(1 + (n % 28)).padStart(2, "0")}T00:00:00Z`,
    lastTestedDate: "2025-11-01T00:00:00Z",
    fixedDate: n % 7 === 0 ? "2025-10-30T00:00:00Z" : undefined,
    timesDetected: 1 + (n % 3),
    isIgnored: n % 13 === 0,
    ignoredReason: n % 13 === 0 ? "false positive" : undefined,
    ignoredDate: undefined,
    cwe: n % 2 === 0 ? ["CWE-79"] : ["CWE-89"],
    owasp: n % 2 === 0 ? ["A7:2017"] : ["A1:2017"],
    wasc: ["WASC-8"],
    categories: [],
    evidence: { request: `GET /p/${n} HTTP/1.1`, response: "HTTP/1.1 200 OK", truncated: false },
    authenticated: n % 2 === 0,
    ...fields,
  };
}

const DEFINITION: DefinitionRecord = {
  uid: "150000",
  qid: 150_000,
  title: "Cross-Site Scripting",
  severity: 5,
  severityScore: 6.1,
  categories: ["XSS"],
  vulnType: "Vulnerability",
  cves: ["CVE-2024-0001"],
  cvssV2Base: undefined,
  cvssV2Vector: undefined,
  cvssV3Base: 6.1,
  cvssV3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
  diagnosis: "<p>Input is reflected <script>window.__pwned=5</script> unescaped.</p>",
  consequence: "An attacker runs script in the user's session.",
  solution: '<a href="javascript:alert(1)">Encode</a> output.',
  pci: true,
  publishedDate: undefined,
  lastServiceModificationDate: undefined,
};

/** Findings in the sample store (the hostile one is `uid-0000`, web app 1). */
export const FINDING_COUNT = 90;

/** Write the store; returns its path. */
export async function sampleStore(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qc-dashboard-"));
  const file = path.join(dir, "store.db");
  const store = await openStore(`sqlite:${file}`);
  try {
    await store.migrate();
    const subscriptionId = await store.subscription({
      apiUrl: "https://qualysapi.example.test",
      username: "dash_user",
    });
    const ctx = (now: string) => ({ subscriptionId, source: "api", now, runId: undefined });
    await store.upsertApplications(
      [
        application(1, { name: HOSTILE.name, url: HOSTILE.url }),
        application(2, { name: "Shop" }),
        application(3),
      ],
      ctx("2025-11-01T00:00:00Z"),
    );
    const hostile = finding(0, {
      webAppId: 1,
      name: HOSTILE.title,
      url: HOSTILE.url,
      param: HOSTILE.param,
      severity: 5,
      severityLabel: "Critical",
      status: "ACTIVE",
      isIgnored: false,
      ignoredReason: undefined,
      evidence: { request: HOSTILE.evidence, response: HOSTILE.evidence, truncated: false },
    });
    const findings = [hostile, ...Array.from({ length: FINDING_COUNT - 1 }, (_, i) => finding(i + 1))];
    await store.upsertFindings(findings, ctx("2025-11-01T00:00:00Z"));
    // A second sync moves one finding: its history gets a row.
    await store.upsertFindings(
      [{ ...findings[5], status: "FIXED", fixedDate: "2025-11-02T00:00:00Z" } as FindingRecord],
      ctx("2025-11-02T00:00:00Z"),
    );
    await store.upsertDefinitions([DEFINITION], ctx("2025-11-01T00:00:00Z"));
  } finally {
    await store.close();
  }
  return file;
}
