/**
 * Normalizers from permissive WAS records (XML or JSON, docs/qualys-api.md 3.4) to the client's typed
 * results. Each reads only the fields named in its type, so unknown fields never leak into callers; missing
 * elements become undefined, numbers and booleans are accepted as strings.
 */
import { asList, at, bool, int, lenientBase64, text, v3List, type XmlNode } from "./xml.js";

export interface WebAppRef {
  id: number;
  name: string | undefined;
  url: string | undefined;
}

/**
 * A web app (docs/qualys-api.md 3.7). The non-verbose search record has id, name, url, owner, tags count and
 * dates.
 */
export interface WebApp {
  id: number;
  name: string;
  url: string;
  ownerId: number | undefined;
  tags: { id: number; name: string | undefined }[];
  createdDate: string | undefined;
  updatedDate: string | undefined;
  /** EXTERNAL or INTERNAL (details only; JWAS warns on EXTERNAL). */
  defaultScannerType: string | undefined;
  defaultProfileId: number | undefined;
}

export type FindingType = "VULNERABILITY" | "SENSITIVE_CONTENT" | "INFORMATION_GATHERED";

/**
 * A WAS finding (docs/qualys-api.md 3.9). INFORMATION_GATHERED records have no url, status, timesDetected or
 * isIgnored (real HAR).
 */
export interface Finding {
  id: number;
  uniqueId: string | undefined;
  qid: number;
  name: string;
  /** One of FindingType; kept as text so a new Qualys value does not break a sync. */
  type: string;
  potential: boolean;
  findingType: string | undefined;
  severity: number | undefined;
  url: string | undefined;
  param: string | undefined;
  status: string | undefined;
  firstDetectedDate: string | undefined;
  lastDetectedDate: string | undefined;
  lastTestedDate: string | undefined;
  timesDetected: number | undefined;
  isIgnored: boolean | undefined;
  webApp: WebAppRef | undefined;
  cwe: number[];
  /** The edition of an OWASP class is only in its `url` (`…/Top10/A03_2021-Injection/`); `code` is the rank. */
  owasp: WebClassRef[];
  wasc: WebClassRef[];
}

/** One OWASP or WASC entry of a verbose finding (docs/qualys-api.md 3.9). */
export interface WebClassRef {
  code: string | undefined;
  name: string | undefined;
  url: string | undefined;
}

function webClassRef(node: unknown): WebClassRef {
  return { code: text(at(node, "code")), name: text(at(node, "name")), url: text(at(node, "url")) };
}

/** A WAS scan from search, get or status (docs/qualys-api.md 3.8). */
export interface WasScan {
  id: number;
  name: string | undefined;
  reference: string | undefined;
  type: string | undefined;
  mode: string | undefined;
  status: string | undefined;
  consolidatedStatus: string | undefined;
  resultsStatus: string | undefined;
  authStatus: string | undefined;
  launchedDate: string | undefined;
  scanDuration: number | undefined;
  webApp: WebAppRef | undefined;
  profileId: number | undefined;
}

export interface WasScanVuln {
  qid: number;
  title: string | undefined;
  uri: string | undefined;
  param: string | undefined;
  severity: number | undefined;
  /**
   * Instance count; each instance says whether it was found while authenticated, and holds the scanner's evidence:
   * the payloads it sent with the result that came back (docs/qualys-api.md 3.8).
   */
  instances: { authenticated: boolean | undefined; payloads: WasScanPayload[] }[];
}

/** One payload of a vulnerability instance: what the scanner sent, and the response part it matched. */
export interface WasScanPayload {
  payload: string | undefined;
  /** Decoded from base64. */
  result: string | undefined;
}

export interface WasScanIg {
  qid: number;
  title: string | undefined;
  /** Decoded when the element says base64="true" (leniently: Qualys omits padding, HQ). */
  data: string | undefined;
}

/**
 * The downloaded scan results (docs/qualys-api.md 3.8): the scan, its severity stats and its vulnerabilities
 * and IGs.
 */
export interface WasScanResults {
  scan: WasScan;
  /** `stats.global.nbVulnsLevel1..5` at index 0..4; what GHA and JWAS gate on. */
  vulnsByLevel: [number, number, number, number, number];
  vulnsTotal: number | undefined;
  vulns: WasScanVuln[];
  igs: WasScanIg[];
}

export interface NamedObject {
  id: number;
  name: string;
}

/** A saved WAS report as `search/was/report` and `get/was/report` return it (docs/qualys-api.md 3.10). */
export interface ReportSummary {
  id: number;
  /** The report's title. */
  name: string;
  /** WAS_SCAN_REPORT, WAS_WEBAPP_REPORT, or another type Qualys lists. */
  type: string;
  /** XML, PDF, CSV, ... (docs/qualys-api.md 3.10). */
  format: string;
  /** COMPLETE when ready (docs/qualys-api.md 3.10); RUNNING and ERROR are UNCONFIRMED. */
  status: string;
  /** ISO 8601 UTC, as the API prints dates; undefined when absent. */
  creationDate: string | undefined;
  /** Size of the file in bytes, when the answer gives it (UNCONFIRMED field). */
  size?: number;
}

/** The same record under its older name. */
export type WasReport = ReportSummary;

function webAppRef(node: unknown): WebAppRef | undefined {
  const id = int(at(node, "id"));
  if (id === undefined) return undefined;
  return { id, name: text(at(node, "name")), url: text(at(node, "url")) };
}

export function toWebApp(node: XmlNode): WebApp {
  return {
    id: int(node.id) ?? 0,
    name: text(node.name) ?? "",
    url: text(node.url) ?? "",
    ownerId: int(at(node, "owner.id")),
    tags: v3List(node.tags, "Tag").map((tag) => ({
      id: int(at(tag, "id")) ?? 0,
      name: text(at(tag, "name")),
    })),
    createdDate: text(node.createdDate),
    updatedDate: text(node.updatedDate),
    defaultScannerType: text(at(node, "defaultScanner.type")),
    defaultProfileId: int(at(node, "defaultProfile.id")),
  };
}

export function toFinding(node: XmlNode): Finding {
  return {
    id: int(node.id) ?? 0,
    uniqueId: text(node.uniqueId),
    qid: int(node.qid) ?? 0,
    name: text(node.name) ?? "",
    type: text(node.type) ?? "",
    potential: bool(node.potential) ?? false,
    findingType: text(node.findingType),
    severity: int(node.severity),
    url: text(node.url),
    param: text(node.param),
    status: text(node.status),
    firstDetectedDate: text(node.firstDetectedDate),
    lastDetectedDate: text(node.lastDetectedDate),
    lastTestedDate: text(node.lastTestedDate),
    timesDetected: int(node.timesDetected),
    isIgnored: bool(node.isIgnored),
    webApp: webAppRef(node.webApp),
    // XML `cwe{list{long}}`, JSON `cwe{list:[200]}` (docs/qualys-api.md 3.9); `list:[{"long":200}]` is
    // accepted too.
    cwe: (Array.isArray(at(node, "cwe.list"))
      ? asList(at(node, "cwe.list"))
      : asList(at(node, "cwe.list.long"))
    )
      .map((value) => int(value !== null && typeof value === "object" ? at(value, "long") : value))
      .filter((value): value is number => value !== undefined),
    owasp: v3List(node.owasp, "OWASP").map(webClassRef),
    wasc: v3List(node.wasc, "WASC").map(webClassRef),
  };
}

export function toWasScan(node: XmlNode): WasScan {
  return {
    id: int(node.id) ?? 0,
    name: text(node.name),
    reference: text(node.reference),
    type: text(node.type),
    mode: text(node.mode),
    status: text(node.status),
    consolidatedStatus: text(node.consolidatedStatus),
    resultsStatus: text(at(node, "summary.resultsStatus")),
    authStatus: text(at(node, "summary.authStatus")),
    launchedDate: text(node.launchedDate),
    scanDuration: int(node.scanDuration),
    webApp: webAppRef(at(node, "target.webApp")),
    profileId: int(at(node, "profile.id")),
  };
}

/** Text of an element that may carry `base64="true"`. */
function maybeBase64(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const flagged =
    typeof value === "object" && value !== null && text((value as XmlNode)["@base64"]) === "true";
  return flagged ? lenientBase64(raw) : raw;
}

export function toWasScanResults(node: XmlNode): WasScanResults {
  const level = (n: number) => int(at(node, `stats.global.nbVulnsLevel${n}`)) ?? 0;
  return {
    scan: toWasScan(node),
    vulnsByLevel: [level(1), level(2), level(3), level(4), level(5)],
    vulnsTotal: int(at(node, "stats.global.nbVulnsTotal")),
    vulns: v3List(node.vulns, "WasScanVuln").map((v) => ({
      qid: int(at(v, "qid")) ?? 0,
      title: text(at(v, "title")),
      uri: text(at(v, "uri")),
      param: text(at(v, "param")),
      severity: int(at(v, "severity")),
      instances: v3List(at(v, "instances"), "WasScanVulnInstance").map((i) => ({
        authenticated: bool(at(i, "authenticated")),
        payloads: v3List(at(i, "payloads"), "WasScanVulnPayload").map((p) => {
          // The result is always base64 (docs/qualys-api.md 3.8): marked base64="true" in XML, unmarked in JSON.
          const result = text(at(p, "result"));
          return {
            payload: text(at(p, "payload")),
            result: result === undefined ? undefined : lenientBase64(result),
          };
        }),
      })),
    })),
    igs: v3List(node.igs, "WasScanIg").map((ig) => ({
      qid: int(at(ig, "qid")) ?? 0,
      title: text(at(ig, "title")),
      data: maybeBase64(at(ig, "data")),
    })),
  };
}

export function toNamedObject(node: XmlNode): NamedObject {
  return { id: int(node.id) ?? 0, name: text(node.name) ?? "" };
}

/** Read a Report record leniently: numbers may come as strings, fields may be missing. */
export function toReportSummary(node: XmlNode): ReportSummary {
  const size = int(node.size);
  return {
    id: int(node.id) ?? 0,
    name: text(node.name) ?? "",
    type: text(node.type) ?? "",
    format: text(node.format) ?? "",
    status: text(node.status) ?? "",
    creationDate: text(node.creationDate),
    ...(size === undefined ? {} : { size }),
  };
}

/** The same reader under its older name. */
export const toWasReport = toReportSummary;
