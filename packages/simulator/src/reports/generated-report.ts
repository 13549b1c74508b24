/**
 * Generated report documents: a WAS_WEBAPP_REPORT or WAS_SCAN_REPORT (docs/qualys-api.md 6.1, 6.2) of N
 * synthetic VULNERABILITY records whose base64 response contents can be as large as asked, produced piece by
 * piece so that a download of any size is written to the socket with flat memory. The same generator builds
 * the hostile report, whose text fields carry hostile strings.
 *
 * The document is the normal report skeleton (the same HEADER, SUMMARY, GLOSSARY and APPENDIX builders as the
 * rendered reports) with a mark where the records go; each record is serialized alone, and its CONTENTS text is
 * written in fixed chunks of base64.
 */
import { HOSTILE_REPORT_TEXT, HOSTILE_RESPONSE, WAS_QIDS } from "../data/catalog.js";
import type { GeneratedReportSpec, Severity, SimReport, SimWebApp } from "../model.js";
import { el, raw, serialize, xmlDocument } from "../wire/xml.js";
import type { SimWorld } from "../world.js";
import { reportDate, reportDateTime } from "./report-dates.js";
import {
  filtersElement,
  globalSummaryElement,
  glossaryElement,
  headerElement,
  levelElements,
  type ReportRecord,
  type SeverityCounts,
  severityCategoryListElement,
  textEl,
  webAppAppendixElement,
} from "./report-parts.js";
import { optionProfileDetailsElement, scanVulnerabilityElement } from "./scan-report-xml.js";
import { webAppVulnerabilityElement } from "./webapp-report-xml.js";

/** Largest generated document the control API and options accept: findings x response bytes, 8 GiB. */
export const MAX_GENERATED_BYTES = 8 * 1024 ** 3;
export const MAX_GENERATED_FINDINGS = 10_000_000;

/** Decoded bytes per base64 chunk: a multiple of 3, so chunks concatenate into one valid base64 text. */
const PATTERN_BYTES = 48 * 1024;
const RECORDS_MARK = "\u0001records\u0001";
const EMPTY_CONTENTS = '<CONTENTS base64="true"/>';

/** Check a spec coming from options or the control API; returns the problems. */
export function generatedSpecProblems(spec: GeneratedReportSpec): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(spec.findings) || spec.findings < 0 || spec.findings > MAX_GENERATED_FINDINGS)
    problems.push(`findings must be an integer from 0 to ${MAX_GENERATED_FINDINGS}, got ${spec.findings}`);
  if (!Number.isInteger(spec.responseBytes) || spec.responseBytes < 0)
    problems.push(`responseBytes must be a non-negative integer, got ${spec.responseBytes}`);
  else if (spec.findings * spec.responseBytes > MAX_GENERATED_BYTES)
    problems.push(`findings x responseBytes must be at most ${MAX_GENERATED_BYTES} bytes`);
  return problems;
}

interface Layout {
  qids: readonly { qid: number; severity: Severity; title: string }[];
  webApp: SimWebApp;
  pattern: Buffer;
}

/** A web app that exists only in the document (the hostile report's, or when the target is gone). */
function syntheticWebApp(report: SimReport, hostile: boolean): SimWebApp {
  return {
    id: 1_900_000 + (report.id % 100_000),
    name: hostile ? `Hostile app ${HOSTILE_REPORT_TEXT.join(" ")}` : "Generated web application",
    url: hostile
      ? `https://hostile.example/${encodeURI("<script>")}?next=javascript:alert(1)`
      : "https://generated.example/",
    uris: [],
    os: hostile ? "\u202eSXI" : null,
    owner: report.owner,
    scope: "ALL",
    tags: [],
    createdDate: report.createdDate,
    updatedDate: report.createdDate,
    isScheduled: false,
    riskScore: 0,
    defaultProfileId: 0,
    defaultScanner: { type: "EXTERNAL" },
    authRecordIds: [],
    comments: null,
    lastScanId: null,
    scenario: null,
  };
}

function layoutOf(world: SimWorld, report: SimReport, spec: GeneratedReportSpec): Layout {
  const qids: Layout["qids"] = spec.hostile
    ? // QIDs outside the KnowledgeBase, so the glossary prints the records' (hostile) titles.
      HOSTILE_REPORT_TEXT.map((title, i) => ({
        qid: 990_001 + i,
        severity: ((i % 5) + 1) as Severity,
        title: `Hostile title ${title}`,
      }))
    : WAS_QIDS.filter((q) => q.type === "VULNERABILITY").map((q) => ({
        qid: q.qid,
        severity: world.kb.get(q.qid)?.severity ?? q.severity,
        title: q.title,
      }));
  const target = report.targetIds.map((id) => world.webApps.get(id)).find((w) => w !== undefined);
  const webApp = spec.hostile || !target ? syntheticWebApp(report, spec.hostile) : target;
  // The response body, repeated: printable filler, or the hostile response (terminal escapes, markup, commands).
  const text = Buffer.from(
    spec.hostile ? HOSTILE_RESPONSE : `<html><body>${"simulated response body ".repeat(40)}</body></html>\n`,
    "utf8",
  );
  const pattern = Buffer.alloc(PATTERN_BYTES);
  for (let i = 0; i < PATTERN_BYTES; i += text.length) text.copy(pattern, i);
  return { qids, webApp, pattern };
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, "0").slice(-width);
}

function recordAt(report: SimReport, layout: Layout, index: number, hostile: boolean): ReportRecord {
  const q = layout.qids[index % layout.qids.length] ?? { qid: 150001, severity: 3 as Severity, title: "" };
  const bad = (k: number) => HOSTILE_REPORT_TEXT[(index + k) % HOSTILE_REPORT_TEXT.length] ?? "";
  const base = layout.webApp.url.replace(/\/?$/, "/");
  const url = hostile ? `${base}${encodeURI(bad(0))}?q=${bad(1)}` : `${base}page/${index + 1}?id=${index}`;
  const date = report.createdDate;
  return {
    kind: "VULNERABILITY",
    findingId: 90_000_001 + index,
    uniqueId: `${hex(report.id, 8)}-0000-4000-8000-${hex(index, 12)}`,
    qid: q.qid,
    title: q.title,
    severity: q.severity,
    potential: index % 4 === 3,
    group: hostile ? bad(2) : "XSS",
    url,
    param: hostile ? bad(3) : "id",
    form: hostile ? bad(4) : null,
    accessPath: hostile ? [`${base}${bad(5)}`, `javascript:alert(${index})`] : [],
    ajax: false,
    authenticated: index % 2 === 0,
    payloads: [
      {
        payload: hostile ? bad(6) : `"><script>alert(${index})</script>`,
        method: "GET",
        url,
        headers: hostile
          ? `Host: hostile.example\nUser-Agent: ${bad(7)}\nReferer: ${bad(8)}`
          : "Host: generated.example\nAccept: */*",
        body: hostile ? bad(9) : null,
        // The CONTENTS text is written separately, in chunks (see generatedReportChunks).
        response: "",
      },
    ],
    data: null,
    ignored: false,
    status: "ACTIVE",
    firstDetected: date,
    lastDetected: date,
    lastTested: date,
    timesDetected: 1 + (index % 3),
  };
}

function countsOf(layout: Layout, findings: number): SeverityCounts {
  const counts: SeverityCounts = {
    levels: [0, 0, 0, 0, 0],
    sensitiveContent: 0,
    informationGathered: 0,
    vulnerabilities: findings,
    maxVulnSeverity: 0,
  };
  const n = layout.qids.length;
  layout.qids.forEach((q, i) => {
    const times = Math.floor(findings / n) + (i < findings % n ? 1 : 0);
    if (times === 0) return;
    counts.levels[q.severity - 1] = (counts.levels[q.severity - 1] ?? 0) + times;
    counts.maxVulnSeverity = Math.max(counts.maxVulnSeverity, q.severity);
  });
  return counts;
}

/** The document around the records, split at the place the records go. */
function skeleton(
  world: SimWorld,
  report: SimReport,
  spec: GeneratedReportSpec,
  layout: Layout,
  generatedAt: number,
): [string, string] {
  const counts = countsOf(layout, spec.findings);
  const sample = layout.qids.map((_, i) => recordAt(report, layout, i, spec.hostile));
  const webApp = layout.webApp;
  const header = headerElement({
    name: report.name,
    description: spec.hostile
      ? `Hostile strings in every text field: ${HOSTILE_REPORT_TEXT.join(" | ")}`
      : `Generated report: ${spec.findings} findings with ${spec.responseBytes}-byte responses.`,
    generatedAt,
    user: report.owner,
  });
  const list = el("VULNERABILITY_LIST", raw(RECORDS_MARK));
  const root =
    report.type === "WAS_SCAN_REPORT"
      ? el(
          "WAS_SCAN_REPORT",
          header,
          filtersElement(),
          el("TARGET", textEl("SCAN", `Generated scan of ${webApp.name}`)),
          el(
            "SUMMARY",
            globalSummaryElement(counts),
            el(
              "SUMMARY_STATS",
              el(
                "SUMMARY_STAT",
                textEl("SCAN", `Generated scan of ${webApp.name}`),
                el("DATE", reportDate(report.createdDate)),
                levelElements(counts),
              ),
            ),
          ),
          el("RESULTS", list, el("INFORMATION_GATHERED_LIST")),
          glossaryElement(sample, world.kb),
          // No SCAN_LIST: the scan exists only in this document.
          el(
            "APPENDIX",
            optionProfileDetailsElement(),
            webAppAppendixElement(webApp),
            severityCategoryListElement(),
          ),
        )
      : el(
          "WAS_WEBAPP_REPORT",
          header,
          filtersElement(),
          el("TARGET", textEl("WEB_APPLICATION", webApp.name)),
          el(
            "SUMMARY",
            globalSummaryElement(counts),
            el(
              "SUMMARY_STATS",
              el("SUMMARY_STAT", textEl("WEB_APPLICATION", webApp.name), levelElements(counts)),
            ),
          ),
          el(
            "RESULTS",
            el(
              "WEB_APPLICATION",
              el("ID", webApp.id),
              textEl("NAME", webApp.name),
              textEl("URL", webApp.url),
              list,
              el("INFORMATION_GATHERED_LIST"),
            ),
          ),
          glossaryElement(sample, world.kb),
          el("APPENDIX", webAppAppendixElement(webApp), severityCategoryListElement()),
        );
  const document = xmlDocument(root, { indent: true });
  const at = document.indexOf(RECORDS_MARK);
  return [document.slice(0, at), document.slice(at + RECORDS_MARK.length)];
}

/**
 * The generated document as a sequence of chunks (none larger than about 64 KiB plus one record's markup). A
 * consumer that pulls one chunk at a time (Readable.from) holds only the chunk in flight.
 */
export function* generatedReportChunks(
  world: SimWorld,
  report: SimReport,
  generatedAt: number,
): Generator<Buffer> {
  const spec = report.generated;
  if (!spec) throw new Error(`report ${report.id} is not a generated report`);
  const layout = layoutOf(world, report, spec);
  const [head, tail] = skeleton(world, report, spec, layout, generatedAt);
  const fullChunk = Buffer.from(layout.pattern.toString("base64"), "latin1");
  const detected = reportDateTime(report.createdDate);
  yield Buffer.from(head, "utf8");
  for (let i = 0; i < spec.findings; i++) {
    const record = recordAt(report, layout, i, spec.hostile);
    const element =
      report.type === "WAS_SCAN_REPORT"
        ? scanVulnerabilityElement(record, detected)
        : webAppVulnerabilityElement(record);
    const markup = `\n${serialize(element, true)}`;
    const at = markup.indexOf(EMPTY_CONTENTS);
    if (spec.responseBytes === 0 || at < 0) {
      yield Buffer.from(markup, "utf8");
      continue;
    }
    yield Buffer.from(`${markup.slice(0, at)}<CONTENTS base64="true">`, "utf8");
    let left = spec.responseBytes;
    while (left >= PATTERN_BYTES) {
      yield fullChunk;
      left -= PATTERN_BYTES;
    }
    if (left > 0) yield Buffer.from(layout.pattern.subarray(0, left).toString("base64"), "latin1");
    yield Buffer.from(`</CONTENTS>${markup.slice(at + EMPTY_CONTENTS.length)}`, "utf8");
  }
  yield Buffer.from(tail, "utf8");
}
