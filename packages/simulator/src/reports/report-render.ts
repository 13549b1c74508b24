/**
 * Turning a report request into its file when the report completes: which formats exist, which the simulator
 * renders, their content types and file names, and the rendering itself (from the world at that moment).
 */
import type { SimReport, SimWasScan, SimWebApp, WasReportFormat, WasReportType } from "../model.js";
import type { SimWorld } from "../world.js";
import {
  type PlaceholderFacts,
  placeholderCsv,
  placeholderHtml,
  placeholderPdf,
  zipOneFile,
} from "./placeholder-documents.js";
import { reportDateTime } from "./report-dates.js";
import { countRecords, type ReportRecord } from "./report-parts.js";
import { renderScanReportXml, scanRecords } from "./scan-report-xml.js";
import { findingRecord, renderWebAppReportXml } from "./webapp-report-xml.js";

export const SUPPORTED_TYPES: readonly WasReportType[] = ["WAS_SCAN_REPORT", "WAS_WEBAPP_REPORT"];

/** Every format keyword Qualys documents for WAS reports (docs/qualys-api.md 3.10). */
export const QUALYS_FORMATS: readonly WasReportFormat[] = [
  "WORD",
  "HTML_ZIPPED",
  "HTML_BASE64",
  "PDF",
  "PDF_ENCRYPTED",
  "CSV",
  "CSV_V2",
  "XML",
  "POWERPOINT",
];

/**
 * Formats the simulator produces: XML for real, the others as clearly labelled placeholders (PDF is the GitHub
 * Action's default, so it must work). WORD, POWERPOINT, HTML_BASE64 and PDF_ENCRYPTED are refused.
 */
export const SIMULATED_FORMATS: readonly WasReportFormat[] = ["XML", "PDF", "CSV", "CSV_V2", "HTML_ZIPPED"];

export function isSupportedType(value: string): value is WasReportType {
  return (SUPPORTED_TYPES as readonly string[]).includes(value);
}

export function isQualysFormat(value: string): value is WasReportFormat {
  return (QUALYS_FORMATS as readonly string[]).includes(value);
}

const FILE_KIND: Partial<Record<WasReportFormat, { contentType: string; extension: string }>> = {
  XML: { contentType: "application/xml", extension: "xml" },
  PDF: { contentType: "application/pdf", extension: "pdf" },
  CSV: { contentType: "text/csv; charset=UTF-8", extension: "csv" },
  CSV_V2: { contentType: "text/csv; charset=UTF-8", extension: "csv" },
  HTML_ZIPPED: { contentType: "application/zip", extension: "zip" },
};

export function fileKind(format: WasReportFormat): { contentType: string; extension: string } {
  return FILE_KIND[format] ?? { contentType: "application/octet-stream", extension: "bin" };
}

/**
 * The download's file name: the report name made safe for a quoted header value (ASCII letters, digits, space,
 * `.`, `_`, `-`), then the format's extension. Real Qualys names are UNCONFIRMED; the GitHub Action only reads
 * what follows `filename=`.
 */
export function reportFileName(name: string, id: number, format: WasReportFormat): string {
  return `${safeBaseName(name, id)}.${fileKind(format).extension}`;
}

function safeBaseName(name: string, id: number): string {
  const safe = name
    .replace(/[^A-Za-z0-9 ._-]/g, "_")
    .trim()
    .slice(0, 200);
  return safe.length > 0 ? safe : `report_${id}`;
}

export type RenderOutcome = { ok: true; content: Buffer } | { ok: false; reason: string };

/** Render a report's file from the world as it is now. Targets that vanished or changed make the report ERROR. */
export function renderReport(world: SimWorld, report: SimReport, generatedAt: number): RenderOutcome {
  const user = report.owner;
  if (report.type === "WAS_SCAN_REPORT") {
    const scans: SimWasScan[] = [];
    for (const id of report.targetIds) {
      const scan = world.wasScans.get(id);
      if (scan?.status !== "FINISHED") return { ok: false, reason: `scan ${id} is no longer available` };
      scans.push(scan);
    }
    if (report.format === "XML") {
      const xml = renderScanReportXml(world, {
        name: report.name,
        description: report.description,
        generatedAt,
        user,
        scans,
      });
      return { ok: true, content: Buffer.from(xml, "utf8") };
    }
    const records = scans.flatMap((s) => scanRecords(world, s, world.webApps.get(s.webAppId)));
    const details = [`Scans: ${scans.map((s) => `${s.name} (${s.id})`).join(", ")}`, countLine(records)];
    return placeholder(report, generatedAt, details);
  }

  const webApps: SimWebApp[] = [];
  for (const id of report.targetIds) {
    const webApp = world.webApps.get(id);
    if (webApp) webApps.push(webApp);
  }
  if (webApps.length === 0)
    return { ok: false, reason: "none of the report's web applications exists any more" };
  if (report.format === "XML") {
    const xml = renderWebAppReportXml(world, {
      name: report.name,
      description: report.description,
      generatedAt,
      user,
      webApps,
    });
    return { ok: true, content: Buffer.from(xml, "utf8") };
  }
  const ids = new Set(webApps.map((w) => w.id));
  const byId = new Map(webApps.map((w) => [w.id, w] as const));
  const records: ReportRecord[] = [];
  for (const f of world.findings.values()) {
    const webApp = ids.has(f.webAppId) ? byId.get(f.webAppId) : undefined;
    if (webApp) records.push(findingRecord(f, webApp));
  }
  const details = [
    `Web applications: ${webApps.map((w) => `${w.name} (${w.id})`).join(", ")}`,
    countLine(records),
  ];
  return placeholder(report, generatedAt, details);
}

function countLine(records: readonly ReportRecord[]): string {
  const c = countRecords(records);
  return `Vulnerabilities: ${c.vulnerabilities}, sensitive content: ${c.sensitiveContent}, information gathered: ${c.informationGathered}`;
}

function placeholder(report: SimReport, generatedAt: number, details: string[]): RenderOutcome {
  const facts: PlaceholderFacts = {
    name: report.name,
    type: report.type,
    format: report.format,
    generated: reportDateTime(generatedAt),
    details,
  };
  switch (report.format) {
    case "PDF":
      return { ok: true, content: placeholderPdf(facts) };
    case "CSV":
    case "CSV_V2":
      return { ok: true, content: placeholderCsv(facts) };
    case "HTML_ZIPPED": {
      const html = Buffer.from(placeholderHtml(facts), "utf8");
      return { ok: true, content: zipOneFile(`${safeBaseName(report.name, report.id)}.html`, html) };
    }
    default:
      return { ok: false, reason: `format ${report.format} is not supported by the simulator` };
  }
}
