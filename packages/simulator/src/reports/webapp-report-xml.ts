/**
 * The WAS_WEBAPP_REPORT XML document (docs/qualys-api.md 6.2): the current findings of web apps, not one
 * scan's results. No public sample exists. It reuses HEADER, GLOSSARY and APPENDIX of the scan report and
 * nests the result lists in RESULTS/WEB_APPLICATION as DefectDojo's and Faraday's parsers expect. Per-record
 * elements beyond those parsers' FIRST_TIME_DETECTED and STATUS are UNCONFIRMED and follow the column order
 * of the real CSV web app report (First/Last Time Detected, Last Time Tested, Times Detected, Status before
 * Ignored).
 */
import type { SimFinding, SimUser, SimWebApp } from "../model.js";
import { el, type XmlElement, xmlDocument } from "../wire/xml.js";
import type { SimWorld } from "../world.js";
import { reportDateTime } from "./report-dates.js";
import {
  base64El,
  countRecords,
  filtersElement,
  globalSummaryElement,
  glossaryElement,
  headerElement,
  identityElements,
  levelElements,
  locationElements,
  optTextEl,
  payloadsElement,
  type ReportRecord,
  severityCategoryListElement,
  statusText,
  textEl,
  webAppAppendixElement,
} from "./report-parts.js";

export interface WebAppReportInput {
  name: string;
  description: string | null;
  generatedAt: number;
  user: Pick<SimUser, "firstName" | "lastName" | "username">;
  webApps: readonly SimWebApp[];
}

const DEFAULT_DESCRIPTION = "Current findings of the selected web applications.";

/** Render a WAS_WEBAPP_REPORT from the web apps' findings as they are now. */
export function renderWebAppReportXml(world: SimWorld, input: WebAppReportInput): string {
  const findingsByWebApp = groupFindings(world, input.webApps);
  const perWebApp = input.webApps.map((webApp) => ({
    webApp,
    records: (findingsByWebApp.get(webApp.id) ?? []).map((f) => findingRecord(f, webApp)),
  }));
  const records = perWebApp.flatMap((w) => w.records);

  const root = el(
    "WAS_WEBAPP_REPORT",
    headerElement({
      name: input.name,
      description: input.description ?? DEFAULT_DESCRIPTION,
      generatedAt: input.generatedAt,
      user: input.user,
    }),
    filtersElement(),
    el(
      "TARGET",
      input.webApps.map((w) => textEl("WEB_APPLICATION", w.name)),
    ),
    el(
      "SUMMARY",
      globalSummaryElement(countRecords(records)),
      el(
        "SUMMARY_STATS",
        perWebApp.map(({ webApp, records: own }) =>
          el("SUMMARY_STAT", textEl("WEB_APPLICATION", webApp.name), levelElements(countRecords(own))),
        ),
      ),
    ),
    el(
      "RESULTS",
      perWebApp.map(({ webApp, records: own }) => webApplicationElement(webApp, own)),
    ),
    glossaryElement(records, world.kb),
    el("APPENDIX", input.webApps.map(webAppAppendixElement), severityCategoryListElement()),
  );
  return xmlDocument(root, { indent: true });
}

/** One pass over the findings (id order), keeping only the report's web apps. */
function groupFindings(world: SimWorld, webApps: readonly SimWebApp[]): Map<number, SimFinding[]> {
  const groups = new Map<number, SimFinding[]>();
  for (const w of webApps) groups.set(w.id, []);
  for (const finding of world.findings.values()) groups.get(finding.webAppId)?.push(finding);
  return groups;
}

function webApplicationElement(webApp: SimWebApp, records: readonly ReportRecord[]): XmlElement {
  const vulnerabilities: XmlElement[] = [];
  const sensitive: XmlElement[] = [];
  const gathered: XmlElement[] = [];
  for (const r of records) {
    if (r.kind === "VULNERABILITY") vulnerabilities.push(webAppVulnerabilityElement(r));
    else if (r.kind === "SENSITIVE_CONTENT") sensitive.push(sensitiveContentElement(r));
    else gathered.push(informationGatheredElement(r));
  }
  // The web app's identity heads its block (UNCONFIRMED names; the parsers only descend into the lists).
  return el(
    "WEB_APPLICATION",
    el("ID", webApp.id),
    textEl("NAME", webApp.name),
    textEl("URL", webApp.url),
    el("VULNERABILITY_LIST", vulnerabilities),
    sensitive.length > 0 ? el("SENSITIVE_CONTENT_LIST", sensitive) : null,
    el("INFORMATION_GATHERED_LIST", gathered),
  );
}

function historyElements(record: ReportRecord): XmlElement[] {
  return [
    el("FIRST_TIME_DETECTED", reportDateTime(record.firstDetected)),
    el("LAST_TIME_DETECTED", reportDateTime(record.lastDetected)),
    el("LAST_TIME_TESTED", reportDateTime(record.lastTested)),
    el("TIMES_DETECTED", record.timesDetected),
  ];
}

export function webAppVulnerabilityElement(record: ReportRecord): XmlElement {
  return el(
    "VULNERABILITY",
    identityElements(record),
    locationElements(record),
    historyElements(record),
    el("POTENTIAL", record.potential),
    payloadsElement(record),
    el("STATUS", statusText(record.status)),
    el("IGNORED", record.ignored),
  );
}

function sensitiveContentElement(record: ReportRecord): XmlElement {
  return el(
    "SENSITIVE_CONTENT",
    identityElements(record),
    optTextEl("CONTENT", record.data),
    locationElements(record),
    historyElements(record),
    payloadsElement(record),
    el("STATUS", statusText(record.status)),
    el("IGNORED", record.ignored),
  );
}

/** Same layout as in the scan report; DefectDojo dates web app report IGs by LAST_TIME_DETECTED too. */
function informationGatheredElement(record: ReportRecord): XmlElement {
  return el(
    "INFORMATION_GATHERED",
    identityElements(record),
    el("LAST_TIME_DETECTED", reportDateTime(record.lastDetected)),
    base64El("DATA", record.data ?? ""),
  );
}

/** A finding as the report shows it; request details and IG data come from its first result. */
export function findingRecord(finding: SimFinding, webApp: SimWebApp): ReportRecord {
  const result = finding.results[0];
  const payloads = (result?.payloads ?? []).map((p) => ({
    payload: p.payload,
    method: p.request.method,
    url: p.request.link,
    headers: p.request.headers,
    body: p.request.body ? p.request.body : null,
    response: p.response,
  }));
  return {
    kind: finding.type,
    findingId: finding.id,
    uniqueId: finding.uniqueId,
    qid: finding.qid,
    title: finding.name,
    severity: finding.severity,
    potential: finding.potential,
    group: finding.group,
    url: finding.url ?? webApp.url,
    param: finding.param,
    form: result?.formLocation ?? null,
    accessPath: result?.accessPath ?? [],
    ajax: result?.ajax ?? false,
    authenticated: result?.authentication ?? false,
    payloads,
    // Findings keep no separate IG data block; the first payload's response is what the scan saw.
    data: finding.type === "INFORMATION_GATHERED" ? (result?.payloads[0]?.response ?? "") : null,
    ignored: finding.isIgnored,
    status: finding.status,
    firstDetected: finding.firstDetectedDate,
    lastDetected: finding.lastDetectedDate,
    lastTested: finding.lastTestedDate,
    timesDetected: finding.timesDetected,
  };
}
