/**
 * The records the WAS data sync stores (after Brinqa's Qualys WAS connector: its Application, Finding and
 * Vulnerability Definition objects), normalized from the API's permissive records with the lessons of
 * Brinqa's changelog: a stable UID per object, CATEGORIES instead of one category, a SEVERITY_SCORE, CVE ids
 * trimmed, CVSS vectors that may be null.
 */

import {
  at,
  bool,
  type KbVuln,
  lenientBase64,
  text,
  toFinding,
  toWebApp,
  v3List,
  type XmlNode,
} from "@qualys-connector/client";
import { SEVERITY_SCORE, type Severity, toSeverity } from "./severity.js";
import {
  DEFAULT_SEVERITY_LABELS,
  type FindingKind,
  type SeverityLabelMap,
  severityLabel,
} from "./severity-labels.js";
import { webClasses } from "./web-classes.js";

/** Request and response evidence of a finding is capped: a response body can be megabytes. */
export const EVIDENCE_MAX = 16_384;

export interface ApplicationRecord {
  /** The web app id as text: stable for the life of the web app. */
  uid: string;
  id: number;
  name: string;
  url: string;
  ownerId: number | undefined;
  tags: string[];
  categories: string[];
  createdDate: string | undefined;
  updatedDate: string | undefined;
}

export interface Evidence {
  request: string | undefined;
  response: string | undefined;
  /** True when either text was cut to EVIDENCE_MAX characters. */
  truncated: boolean;
}

/** The statuses of a WAS finding (vulnerabilities and sensitive content; information gathered has none). */
export const FINDING_STATUSES = ["NEW", "ACTIVE", "REOPENED", "PROTECTED", "FIXED"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface FindingRecord {
  /** WAS `uniqueId` (a UUID that survives re-detection), else the finding id as text. */
  uid: string;
  id: number;
  webAppId: number;
  qid: number;
  name: string;
  /** VULNERABILITY, SENSITIVE_CONTENT or INFORMATION_GATHERED. */
  type: string;
  potential: boolean;
  /** One of `FINDING_STATUSES`; none for information gathered. */
  status: string | undefined;
  severity: Severity | undefined;
  severityLabel: string | undefined;
  url: string | undefined;
  param: string | undefined;
  firstDetectedDate: string | undefined;
  lastDetectedDate: string | undefined;
  lastTestedDate: string | undefined;
  fixedDate: string | undefined;
  timesDetected: number | undefined;
  isIgnored: boolean;
  ignoredReason: string | undefined;
  ignoredDate: string | undefined;
  /** `CWE-79` */
  cwe: string[];
  /** OWASP Top 10 classes with their edition, as Qualys gives them: `A03:2021`, `A6:2017` (bare when it does not say). */
  owasp: string[];
  /** `WASC-22` */
  wasc: string[];
  categories: string[];
  evidence: Evidence;
  /**
   * Whether the scanner was logged in when it detected the finding (API `resultList.Result.authentication`;
   * a report's AUTHENTICATION text, `Required` or `Not Required`); unknown when the source does not say.
   */
  authenticated: boolean | undefined;
}

export interface DefinitionRecord {
  uid: string;
  qid: number;
  title: string;
  severity: Severity | undefined;
  /** 0.0 to 10.0: CVSS v3 base, else v2 base, else derived from the Qualys severity (Brinqa's SEVERITY_SCORE). */
  severityScore: number;
  categories: string[];
  vulnType: string | undefined;
  cves: string[];
  cvssV2Base: number | undefined;
  cvssV2Vector: string | undefined;
  cvssV3Base: number | undefined;
  cvssV3Vector: string | undefined;
  diagnosis: string | undefined;
  consequence: string | undefined;
  solution: string | undefined;
  pci: boolean;
  publishedDate: string | undefined;
  lastServiceModificationDate: string | undefined;
}

export function toApplicationRecord(node: XmlNode): ApplicationRecord {
  const app = toWebApp(node);
  return {
    uid: String(app.id),
    id: app.id,
    name: app.name,
    url: app.url,
    ownerId: app.ownerId,
    tags: app.tags.map((t) => t.name ?? String(t.id)),
    categories: ["Web Application"],
    createdDate: app.createdDate,
    updatedDate: app.updatedDate,
  };
}

function cap(value: string | undefined): { text: string | undefined; cut: boolean } {
  if (value === undefined || value.length <= EVIDENCE_MAX) return { text: value, cut: false };
  return { text: value.slice(0, EVIDENCE_MAX), cut: true };
}

/** The first payload's request (method, link, decoded headers and body) and response, size-capped. */
function evidenceOf(node: XmlNode): Evidence {
  const result = v3List(node.resultList, "Result")[0];
  const payload = v3List(at(result, "payloads"), "PayloadInstance")[0];
  if (!payload) return { request: undefined, response: undefined, truncated: false };
  const request = at(payload, "request");
  const decode = (value: unknown) => {
    const raw = text(value);
    return raw === undefined ? undefined : (lenientBase64(raw) ?? raw);
  };
  const requestText =
    request === undefined
      ? undefined
      : [
          `${text(at(request, "method")) ?? "GET"} ${text(at(request, "link")) ?? ""}`,
          decode(at(request, "headers")) ?? "",
          "",
          decode(at(request, "body")) ?? "",
        ]
          .join("\n")
          .trimEnd();
  const req = cap(requestText);
  const res = cap(text(at(payload, "response")));
  return { request: req.text, response: res.text, truncated: req.cut || res.cut };
}

function kindOf(type: string, potential: boolean): FindingKind {
  if (type === "INFORMATION_GATHERED" || type === "SENSITIVE_CONTENT") return type;
  return potential ? "POTENTIAL" : "VULNERABILITY";
}

/** A finding record from a search (verbose for classes and evidence) or get answer, XML or JSON. */
export function toFindingRecord(
  node: XmlNode,
  labels: SeverityLabelMap = DEFAULT_SEVERITY_LABELS,
): FindingRecord {
  const f = toFinding(node);
  const severity = toSeverity(f.severity);
  const group = text(node.group);
  return {
    uid: f.uniqueId ?? String(f.id),
    id: f.id,
    webAppId: f.webApp?.id ?? 0,
    qid: f.qid,
    name: f.name,
    type: f.type,
    potential: f.potential,
    status: f.status,
    severity,
    severityLabel: severityLabel(labels, kindOf(f.type, f.potential), severity),
    url: f.url,
    param: f.param,
    firstDetectedDate: f.firstDetectedDate,
    lastDetectedDate: f.lastDetectedDate,
    lastTestedDate: f.lastTestedDate,
    fixedDate: text(node.fixedDate),
    timesDetected: f.timesDetected,
    isIgnored: f.isIgnored ?? bool(node.isIgnored) ?? false,
    ignoredReason: text(node.ignoredReason),
    ignoredDate: text(node.ignoredDate),
    ...webClasses(f),
    categories: [f.type, ...(group ? [group] : [])],
    evidence: evidenceOf(node),
    authenticated: bool(at(v3List(node.resultList, "Result")[0], "authentication")),
  };
}

export function toDefinitionRecord(kb: KbVuln): DefinitionRecord {
  const severity = toSeverity(kb.severity);
  const v3 = kb.cvssV3?.base;
  const v2 = kb.cvssV2?.base;
  return {
    uid: String(kb.qid),
    qid: kb.qid,
    title: kb.title,
    severity,
    // Brinqa-style SEVERITY_SCORE when no CVSS is known: the level's score (SEVERITY_SCORE).
    severityScore: v3 ?? v2 ?? (severity === undefined ? 0 : SEVERITY_SCORE[severity]),
    categories: kb.category ? [kb.category] : [],
    vulnType: kb.vulnType,
    cves: kb.cves,
    cvssV2Base: v2,
    // Brinqa 5.1.5: CVSS vectors may be null.
    cvssV2Vector: kb.cvssV2?.vector || undefined,
    cvssV3Base: v3,
    cvssV3Vector: kb.cvssV3?.vector || undefined,
    diagnosis: kb.diagnosis,
    consequence: kb.consequence,
    solution: kb.solution,
    pci: kb.pci,
    publishedDate: kb.publishedDate,
    lastServiceModificationDate: kb.lastServiceModificationDate,
  };
}
