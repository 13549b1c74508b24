/**
 * Building blocks shared by the WAS_SCAN_REPORT and WAS_WEBAPP_REPORT XML documents (docs/qualys-api.md 6.1,
 * 6.2): HEADER, the per-finding records, GLOSSARY and the APPENDIX pieces. Element names, nesting and order
 * follow the real DefectDojo sample exports; every value goes through the XML writer, never through string
 * concatenation.
 */
import type {
  FindingStatus,
  FindingType,
  Severity,
  SimKbVuln,
  SimOwner,
  SimUser,
  SimWebApp,
} from "../model.js";
import { cdata, el, elA, type XmlElement } from "../wire/xml.js";
import { reportDateTime } from "./report-dates.js";

/** One finding as a report shows it, whatever it was read from (a scan's results or the web app's findings). */
export interface ReportRecord {
  kind: FindingType;
  findingId: number;
  uniqueId: string;
  qid: number;
  title: string;
  severity: Severity;
  potential: boolean;
  /** WAS group code as the API spells it (XSS, SQL, SSN_US, ...), or null when unknown. */
  group: string | null;
  url: string;
  param: string | null;
  form: string | null;
  accessPath: readonly string[];
  ajax: boolean;
  authenticated: boolean;
  payloads: readonly ReportPayload[];
  /** Information gathered: the data block; sensitive content: the matched content. */
  data: string | null;
  ignored: boolean;
  status: FindingStatus | null;
  firstDetected: string;
  lastDetected: string;
  lastTested: string;
  timesDetected: number;
}

export interface ReportPayload {
  payload: string;
  method: string;
  url: string;
  /** Raw request header lines (`Name: value`, one a line). */
  headers: string;
  body: string | null;
  response: string;
}

/**
 * Text the way real report files write it: CDATA when the text holds markup characters or line breaks, plain
 * text otherwise (every CDATA block in the DefectDojo samples contains `<`, `>`, `&` or a newline; no plain one does).
 */
export function textEl(name: string, value: string | number | boolean): XmlElement {
  const text = String(value);
  return /[<>&\n]/.test(text) ? el(name, cdata(text)) : el(name, text);
}

/** A text element only when the value is present and not empty. */
export function optTextEl(name: string, value: string | null | undefined): XmlElement | null {
  return value === null || value === undefined || value === "" ? null : textEl(name, value);
}

/** Base64 content with `base64="true"`, as CONTENTS and DATA are in real reports (docs/qualys-api.md 6.1). */
export function base64El(name: string, text: string): XmlElement {
  const encoded = Buffer.from(text, "utf8").toString("base64");
  return encoded.length > 0 ? elA(name, { base64: "true" }, encoded) : elA(name, { base64: "true" });
}

/**
 * DETECTION_ID is a second number per finding in real reports (e.g. 6074202 beside ID 101588229). The simulator
 * has no separate detection table, so it derives a stable number from the finding id.
 */
export function detectionIdOf(findingId: number): number {
  return 1_000_000 + (findingId % 9_000_000);
}

// ---------- HEADER ----------

/** The fictional subscription owner printed in COMPANY_INFO. */
const COMPANY = {
  NAME: "Simulated Company (Qualys API simulator)",
  ADDRESS: "1 Loopback Road",
  CITY: "Localhost",
  STATE: "N/A",
  COUNTRY: "Simulated",
  ZIP_CODE: "00000",
} as const;

export function headerElement(options: {
  name: string;
  description: string;
  generatedAt: number;
  user: Pick<SimUser, "firstName" | "lastName" | "username">;
}): XmlElement {
  return el(
    "HEADER",
    textEl("NAME", options.name),
    textEl("DESCRIPTION", options.description),
    el("GENERATION_DATETIME", reportDateTime(options.generatedAt)),
    el(
      "COMPANY_INFO",
      Object.entries(COMPANY).map(([key, value]) => textEl(key, value)),
    ),
    el(
      "USER_INFO",
      textEl("NAME", `${options.user.firstName} ${options.user.lastName}`),
      textEl("USERNAME", options.user.username),
    ),
  );
}

/** FILTERS as a report with the default template prints them (both DefectDojo samples). */
export function filtersElement(): XmlElement {
  return el(
    "FILTERS",
    el("FILTER", el("NAME", "REMEDIATION"), el("VALUE", "Include patched findings")),
    el("FILTER", el("NAME", "REMEDIATION"), el("VALUE", "Show ignored findings")),
  );
}

// ---------- SUMMARY ----------

export interface SeverityCounts {
  levels: [number, number, number, number, number];
  sensitiveContent: number;
  informationGathered: number;
  vulnerabilities: number;
  maxVulnSeverity: number;
}

export function countRecords(records: readonly ReportRecord[]): SeverityCounts {
  const counts: SeverityCounts = {
    levels: [0, 0, 0, 0, 0],
    sensitiveContent: 0,
    informationGathered: 0,
    vulnerabilities: 0,
    maxVulnSeverity: 0,
  };
  for (const r of records) {
    if (r.kind === "VULNERABILITY") {
      counts.vulnerabilities += 1;
      counts.levels[r.severity - 1] = (counts.levels[r.severity - 1] ?? 0) + 1;
      counts.maxVulnSeverity = Math.max(counts.maxVulnSeverity, r.severity);
    } else if (r.kind === "SENSITIVE_CONTENT") {
      counts.sensitiveContent += 1;
    } else {
      counts.informationGathered += 1;
    }
  }
  return counts;
}

/**
 * SECURITY_RISK from the worst vulnerability. The samples show Medium for a worst level of 3 and High with
 * level-5 findings; the rest of the scale (and the value with no vulnerability) is UNCONFIRMED
 * (docs/qualys-api.md 6.1).
 */
export function securityRisk(maxVulnSeverity: number): string {
  if (maxVulnSeverity >= 4) return "High";
  if (maxVulnSeverity === 3) return "Medium";
  return "Low";
}

export function globalSummaryElement(counts: SeverityCounts): XmlElement {
  return el(
    "GLOBAL_SUMMARY",
    el("SECURITY_RISK", securityRisk(counts.maxVulnSeverity)),
    el("VULNERABILITY", counts.vulnerabilities),
    el("SENSITIVE_CONTENT", counts.sensitiveContent),
    el("INFORMATION_GATHERED", counts.informationGathered),
  );
}

/** LEVEL5..LEVEL1, SENSITIVE_CONTENT, INFORMATION_GATHERED of one SUMMARY_STAT. */
export function levelElements(counts: SeverityCounts): XmlElement[] {
  return [
    el("LEVEL5", counts.levels[4]),
    el("LEVEL4", counts.levels[3]),
    el("LEVEL3", counts.levels[2]),
    el("LEVEL2", counts.levels[1]),
    el("LEVEL1", counts.levels[0]),
    el("SENSITIVE_CONTENT", counts.sensitiveContent),
    el("INFORMATION_GATHERED", counts.informationGathered),
  ];
}

// ---------- RESULTS records ----------

/**
 * AUTHENTICATION text. "Not Required" is real (DefectDojo samples); "Required" for authenticated findings is
 * UNCONFIRMED (docs/qualys-api.md 6.1).
 */
export function authenticationText(authenticated: boolean): string {
  return authenticated ? "Required" : "Not Required";
}

/**
 * Request headers as HEADER{key, value}. Real reports keep what follows the colon verbatim, leading space and line
 * end included (`<value><![CDATA[ services.example.com\n]]></value>` in qualys_webapp_one_vuln.xml), so readers
 * must trim; the simulator writes values the same way.
 */
function headerElements(headers: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const line of headers.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    if (key.length === 0) continue;
    out.push(el("HEADER", textEl("key", key), textEl("value", `${line.slice(colon + 1)}\n`)));
  }
  return out;
}

function payloadElement(payload: ReportPayload, num: number): XmlElement {
  return el(
    "PAYLOAD",
    el("NUM", num),
    textEl("PAYLOAD", payload.payload.length > 0 ? payload.payload : "N/A"),
    el(
      "REQUEST",
      textEl("METHOD", payload.method),
      textEl("URL", payload.url),
      el("HEADERS", headerElements(payload.headers)),
      payload.body ? textEl("BODY", payload.body) : null,
    ),
    el("RESPONSE", base64El("CONTENTS", payload.response)),
  );
}

/** Request headers for a payload whose request was not recorded (no payloads, or the finding is gone). */
export function defaultRequestHeaders(url: string): string {
  let host = "";
  try {
    host = new URL(url).host;
  } catch {
    host = "";
  }
  return [
    ...(host ? [`Host: ${host}`] : []),
    "User-Agent: Mozilla/5.0 (compatible; Qualys API simulator)",
    "Accept: */*",
  ].join("\n");
}

/** PAYLOADS; a finding without recorded payloads gets one `N/A` payload, as real exports show. */
export function payloadsElement(record: ReportRecord): XmlElement {
  const payloads: readonly ReportPayload[] =
    record.payloads.length > 0
      ? record.payloads
      : [
          {
            payload: "N/A",
            method: "GET",
            url: record.url,
            headers: defaultRequestHeaders(record.url),
            body: null,
            response: "",
          },
        ];
  return el(
    "PAYLOADS",
    payloads.map((p, i) => payloadElement(p, i + 1)),
  );
}

/** UNIQUE_ID, ID, DETECTION_ID, QID: the identity every record starts with (docs/qualys-api.md 6.1). */
export function identityElements(record: ReportRecord): XmlElement[] {
  return [
    el("UNIQUE_ID", record.uniqueId),
    el("ID", record.findingId),
    el("DETECTION_ID", detectionIdOf(record.findingId)),
    el("QID", record.qid),
  ];
}

/** URL, PARAM?, FORM_ENTRY_POINT?, ACCESS_PATH?, AJAX, AUTHENTICATION in the real order. */
export function locationElements(record: ReportRecord): XmlElement[] {
  return [
    textEl("URL", record.url),
    optTextEl("PARAM", record.param),
    optTextEl("FORM_ENTRY_POINT", record.form),
    record.accessPath.length > 0
      ? el(
          "ACCESS_PATH",
          record.accessPath.map((u) => textEl("URL", u)),
        )
      : null,
    el("AJAX", record.ajax),
    el("AUTHENTICATION", authenticationText(record.authenticated)),
  ].filter((e): e is XmlElement => e !== null);
}

/**
 * WAS_WEBAPP_REPORT finding STATUS. The API's NEW/ACTIVE/REOPENED/FIXED/PROTECTED are printed in title case as the
 * UI shows them; the exact report spelling is UNCONFIRMED (docs/qualys-api.md 6.2). DefectDojo only looks for
 * "fixed".
 */
export function statusText(status: FindingStatus | null): string {
  switch (status) {
    case "NEW":
      return "New";
    case "ACTIVE":
      return "Active";
    case "REOPENED":
      return "Reopened";
    case "FIXED":
      return "Fixed";
    case "PROTECTED":
      return "Protected";
    default:
      return "New";
  }
}

// ---------- GLOSSARY ----------

export type ReportCategory =
  | "Confirmed Vulnerability"
  | "Potential Vulnerability"
  | "Sensitive Content"
  | "Information Gathered";

export function categoryOf(record: Pick<ReportRecord, "kind" | "potential">): ReportCategory {
  if (record.kind === "SENSITIVE_CONTENT") return "Sensitive Content";
  if (record.kind === "INFORMATION_GATHERED") return "Information Gathered";
  return record.potential ? "Potential Vulnerability" : "Confirmed Vulnerability";
}

/** Report GROUP codes (GROUP_LIST of the samples): the API's SSN_US is SSN-US here, and IGs are IG-DIAG/IG-WEAK. */
export function reportGroupCode(kind: FindingType, group: string | null, hasOwasp: boolean): string {
  const g = (group ?? "").toUpperCase().replace("_", "-");
  if (kind === "INFORMATION_GATHERED") {
    if (g === "IG-DIAG" || g === "IG-WEAK") return g;
    if (g === "DIAG") return "IG-DIAG";
    if (g === "WEAK") return "IG-WEAK";
    // Security-weakness IGs carry OWASP/WASC references in the samples; scan diagnostics mostly do not.
    return hasOwasp ? "IG-WEAK" : "IG-DIAG";
  }
  if (kind === "SENSITIVE_CONTENT") return g === "CC" || g === "SSN-US" ? g : "CUSTOM";
  return g.length > 0 ? g : "INFO";
}

const formatScore = (n: number): string => n.toFixed(1);

/**
 * One glossary QID. Child order is the real one: QID, CATEGORY, SEVERITY, TITLE, GROUP, OWASP?, WASC?, CWE?,
 * CVSS_BASE?, CVSS_TEMPORAL?, DESCRIPTION, IMPACT, SOLUTION (every QID of both DefectDojo samples;
 * docs/qualys-api.md 6.1 lists the optional ones after SOLUTION, which the samples contradict).
 */
function glossaryQidElement(record: ReportRecord, kb: SimKbVuln | undefined): XmlElement {
  const owasp = kb?.owasp.map((o) => o.code).filter((c) => c.length > 0) ?? [];
  const wasc = kb?.wasc.map((w) => w.code).filter((c) => c.length > 0) ?? [];
  const cwe = kb?.cwe.map((n) => `CWE-${n}`) ?? [];
  const cvss = kb?.cvssV2 ?? null;
  return el(
    "QID",
    el("QID", record.qid),
    el("CATEGORY", categoryOf(record)),
    el("SEVERITY", kb?.severity ?? record.severity),
    textEl("TITLE", kb?.title ?? record.title),
    el("GROUP", reportGroupCode(record.kind, kb?.group ?? record.group, owasp.length > 0)),
    owasp.length > 0 ? textEl("OWASP", owasp.join(",")) : null,
    wasc.length > 0 ? textEl("WASC", wasc.join(",")) : null,
    cwe.length > 0 ? textEl("CWE", cwe.join(",")) : null,
    cvss ? el("CVSS_BASE", formatScore(cvss.base)) : null,
    cvss && cvss.temporal !== null ? el("CVSS_TEMPORAL", formatScore(cvss.temporal)) : null,
    textEl("DESCRIPTION", nonEmpty(kb?.diagnosis)),
    textEl("IMPACT", nonEmpty(kb?.consequence)),
    textEl("SOLUTION", nonEmpty(kb?.solution)),
  );
}

const nonEmpty = (text: string | undefined): string => (text && text.trim().length > 0 ? text : "N/A");

/** GROUP_LIST as real reports print it: every group, in this order (DefectDojo samples). */
const GROUPS: readonly (readonly [string, string, string])[] = [
  ["PATH", "Path Disclosure", "VULNERABILITY"],
  ["CC", "Credit Card Numbers", "SENSITIVE_CONTENT"],
  ["IG-DIAG", "Scan Diagnostics", "INFORMATION_GATHERED"],
  ["SSN-US", "Social Security Numbers (US)", "SENSITIVE_CONTENT"],
  ["IG-WEAK", "Security Weaknesses", "INFORMATION_GATHERED"],
  ["CUSTOM", "Custom Contents", "SENSITIVE_CONTENT"],
  ["XSS", "Cross-Site Scripting", "VULNERABILITY"],
  ["INFO", "Information Disclosure", "VULNERABILITY"],
  ["SQL", "SQL Injection", "VULNERABILITY"],
];

/** OWASP Top 10 (2017), the list real reports of that generation print. */
const OWASP_TOP_10: readonly (readonly [string, string])[] = [
  ["A1", "Injection"],
  ["A2", "Broken Authentication"],
  ["A3", "Sensitive Data Exposure"],
  ["A4", "XML External Entities (XXE)"],
  ["A5", "Broken Access Control"],
  ["A6", "Security Misconfiguration"],
  ["A7", "Cross-Site Scripting (XSS)"],
  ["A8", "Insecure Deserialization"],
  ["A9", "Using Components with Known Vulnerabilities"],
  ["A10", "Insufficient Logging & Monitoring"],
];

/** The WASC Threat Classification v2 (WASC-1 to WASC-49), upper-cased as real reports print it. */
const WASC_THREATS: readonly string[] = [
  "INSUFFICIENT AUTHENTICATION",
  "INSUFFICIENT AUTHORIZATION",
  "INTEGER OVERFLOWS",
  "INSUFFICIENT TRANSPORT LAYER PROTECTION",
  "REMOTE FILE INCLUSION",
  "FORMAT STRING",
  "BUFFER OVERFLOW",
  "CROSS-SITE SCRIPTING",
  "CROSS-SITE REQUEST FORGERY",
  "DENIAL OF SERVICE",
  "BRUTE FORCE",
  "CONTENT SPOOFING",
  "INFORMATION LEAKAGE",
  "SERVER MISCONFIGURATION",
  "APPLICATION MISCONFIGURATION",
  "DIRECTORY INDEXING",
  "IMPROPER FILESYSTEM PERMISSIONS",
  "CREDENTIAL/SESSION PREDICTION",
  "SQL INJECTION",
  "IMPROPER INPUT HANDLING",
  "INSUFFICIENT ANTI-AUTOMATION",
  "IMPROPER OUTPUT HANDLING",
  "XML INJECTION",
  "HTTP REQUEST SPLITTING",
  "HTTP RESPONSE SPLITTING",
  "HTTP REQUEST SMUGGLING",
  "HTTP RESPONSE SMUGGLING",
  "NULL BYTE INJECTION",
  "LDAP INJECTION",
  "MAIL COMMAND INJECTION",
  "OS COMMANDING",
  "ROUTING DETOUR",
  "PATH TRAVERSAL",
  "PREDICTABLE RESOURCE LOCATION",
  "SOAP ARRAY ABUSE",
  "SSI INJECTION",
  "SESSION FIXATION",
  "URL REDIRECTOR ABUSE",
  "XPATH INJECTION",
  "INSUFFICIENT PROCESS VALIDATION",
  "XML ATTRIBUTE BLOWUP",
  "ABUSE OF FUNCTIONALITY",
  "XML EXTERNAL ENTITIES (XXE)",
  "XML ENTITY EXPANSION",
  "FINGERPRINTING",
  "XQUERY INJECTION",
  "INSUFFICIENT SESSION EXPIRATION",
  "INSECURE INDEXING",
  "INSUFFICIENT PASSWORD RECOVERY",
];

/**
 * GLOSSARY: one QID per distinct QID of the records, in ascending QID order (as in both samples), then the
 * fixed GROUP, OWASP and WASC reference lists.
 */
export function glossaryElement(
  records: readonly ReportRecord[],
  kb: ReadonlyMap<number, SimKbVuln>,
): XmlElement {
  const firstByQid = new Map<number, ReportRecord>();
  for (const r of records) if (!firstByQid.has(r.qid)) firstByQid.set(r.qid, r);
  const qids = [...firstByQid.keys()].sort((a, b) => a - b);
  return el(
    "GLOSSARY",
    el(
      "QID_LIST",
      qids.map((qid) => {
        const record = firstByQid.get(qid) as ReportRecord;
        return glossaryQidElement(record, kb.get(qid));
      }),
    ),
    el(
      "GROUP_LIST",
      GROUPS.map(([code, name, type]) =>
        el("GROUP", el("CODE", code), textEl("NAME", name), el("TYPE", type)),
      ),
    ),
    el(
      "OWASP_LIST",
      OWASP_TOP_10.map(([code, name]) => el("OWASP", el("CODE", code), textEl("NAME", name))),
    ),
    el(
      "WASC_LIST",
      WASC_THREATS.map((name, i) => el("WASC", el("CODE", `WASC-${i + 1}`), textEl("NAME", name))),
    ),
  );
}

// ---------- APPENDIX ----------

/**
 * WEBAPP SCOPE text. The real texts "Limit to URL hostname" and "Limit to URL hostname and specified domains"
 * appear in the samples; which API scope value each stands for is UNCONFIRMED.
 */
function scopeText(scope: SimWebApp["scope"]): string {
  switch (scope) {
    case "ALL":
      return "Limit to URL hostname";
    case "SUBDOMAIN":
      return "Limit to URL hostname and specified sub-domain";
    case "DOMAINS":
      return "Limit to URL hostname and specified domains";
  }
}

/** `Sally Example (sexample)`, the real OWNER format. */
export function ownerText(owner: SimOwner): string {
  return `${owner.firstName} ${owner.lastName} (${owner.username})`;
}

export function webAppAppendixElement(webApp: SimWebApp): XmlElement {
  return el(
    "WEBAPP",
    el("ID", webApp.id),
    textEl("NAME", webApp.name),
    textEl("URL", webApp.url),
    textEl("OWNER", ownerText(webApp.owner)),
    webApp.os ? textEl("OPERATING_SYSTEM", webApp.os) : el("OPERATING_SYSTEM"),
    el("SCOPE", scopeText(webApp.scope)),
  );
}

/**
 * SEVERITY_CATEGORY_LIST: the four categories with their level names (Minimal .. Urgent; Sensitive Content and
 * Information Gathered stop at Serious, docs/qualys-api.md 6.1). The descriptions are the simulator's own
 * short texts.
 */
export function severityCategoryListElement(): XmlElement {
  const levels = ["Minimal", "Medium", "Serious", "Critical", "Urgent"] as const;
  const category = (name: ReportCategory, description: string, maxLevel: 3 | 5, levelText: string) =>
    el(
      "SEVERITY_CATEGORY",
      el("NAME", name),
      el("DESCRIPTION", description),
      el(
        "SEVERITY_LEVEL_LIST",
        levels
          .slice(0, maxLevel)
          .map((level, i) =>
            el(
              "SEVERITY_LEVEL",
              el("SEVERITY", i + 1),
              el("LEVEL", level),
              el("DESCRIPTION", `${level} ${levelText} (severity ${i + 1} of ${maxLevel}).`),
            ),
          ),
      ),
    );
  return el(
    "SEVERITY_CATEGORY_LIST",
    category(
      "Confirmed Vulnerability",
      "Weaknesses the scanner confirmed by exploiting them with a test payload.",
      5,
      "risk: confirmed weakness",
    ),
    category(
      "Potential Vulnerability",
      "Weaknesses the scanner observed but could not confirm as exploitable.",
      5,
      "risk: unconfirmed weakness",
    ),
    category(
      "Sensitive Content",
      "Content matching a sensitive pattern (card numbers, social security numbers, custom patterns).",
      3,
      "exposure of sensitive content",
    ),
    category(
      "Information Gathered",
      "Facts about the application and the scan itself; not weaknesses on their own.",
      3,
      "disclosure of information",
    ),
  );
}
