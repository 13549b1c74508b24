/**
 * readReport: a report file in, the records the store keeps out, then the report's provenance and counts.
 * One pass over the bytes whatever the form (plain, gzip, zip) and kind (WAS_SCAN_REPORT, WAS_WEBAPP_REPORT,
 * the gate's result.json), in constant memory.
 */

import {
  DEFAULT_SEVERITY_LABELS,
  type ReportCounts,
  type ReportItem,
  type ReportKind,
  type ReportProvenance,
  type SeverityLabelMap,
} from "@qualys-connector/model";
import { FindingSpool } from "./finding-spool.js";
import { GateResultJson, type SpooledGateFinding } from "./gate-result-json.js";
import { ReportFormatError } from "./report-format-error.js";
import { ContainerError, documentBytes, RawInput, type ReportSource, sourceName } from "./report-input.js";
import { SPOOLED_TEXTS, type SpooledFinding, WasReportXml } from "./was-report-xml.js";

export interface ReadReportOptions {
  /** Severity labels by finding kind; the model's CHMLI table by default. */
  labels?: SeverityLabelMap | undefined;
  /** Stops the read: the generator throws the signal's reason and removes its temporary file. */
  signal?: AbortSignal | undefined;
  /** Called after each chunk with the raw bytes read so far (before decompression). */
  onProgress?: ((bytesRead: number) => void) | undefined;
  /** Where the temporary findings file goes (the system's temporary folder by default). */
  tempDir?: string | undefined;
  /** The Qualys report id, for a report pulled through the API (kept in the provenance). */
  reportId?: number | undefined;
}

/** Tells the caller where the decompressed text had got to, for errors that are not the parser's own. */
interface Position {
  line: number;
  column: number;
}

function findingCounts(): Record<string, number> {
  return { VULNERABILITY: 0, SENSITIVE_CONTENT: 0, INFORMATION_GATHERED: 0 };
}

/**
 * Reads a report and yields its applications, definitions and findings, then exactly one `end` item with the
 * provenance (SHA-256 and size of the raw bytes) and the counts. Bad input throws a `ReportFormatError`
 * naming the file, line and column; nothing is yielded after it.
 */
export async function* readReport(
  source: ReportSource,
  options: ReadReportOptions = {},
): AsyncGenerator<ReportItem> {
  const file = sourceName(source);
  const labels = options.labels ?? DEFAULT_SEVERITY_LABELS;
  const raw = new RawInput(source, { signal: options.signal, onProgress: options.onProgress });
  const decoder = new TextDecoder("utf-8");
  const counts: ReportCounts = { applications: 0, definitions: 0, findings: findingCounts() };
  let spool: FindingSpool<SpooledFinding> | undefined;
  let gateSpool: FindingSpool<SpooledGateFinding> | undefined;
  let xml: WasReportXml | undefined;
  let json: GateResultJson | undefined;
  const where = (): Position =>
    xml
      ? { line: xml.line, column: xml.column }
      : json
        ? { line: json.line, column: json.column }
        : { line: 1, column: 1 };
  const containerError = (error: ContainerError) => {
    const { line, column } = where();
    return new ReportFormatError(file, line, column, error.message);
  };

  try {
    const feed = function* (text: string): Generator<ReportItem> {
      if (text.length === 0) return;
      if (xml === undefined && json === undefined) {
        const first = /\S/.exec(text)?.[0];
        if (first === undefined) return;
        if (first === "{") {
          gateSpool = new FindingSpool(options.tempDir, 0);
          json = new GateResultJson(file, labels, gateSpool);
        } else if (first === "<") {
          spool = new FindingSpool(options.tempDir, SPOOLED_TEXTS);
          xml = new WasReportXml(file, spool);
        } else {
          throw new ReportFormatError(file, 1, 1, "not a report: neither an XML document nor a JSON object");
        }
      }
      if (xml) {
        xml.write(text);
        yield* xml.out.splice(0);
      } else if (json) {
        json.write(text);
        yield* json.out.splice(0);
      }
    };
    const pending = { text: "" };
    try {
      for await (const chunk of documentBytes(raw, () => {})) {
        const text = decoder.decode(chunk, { stream: true });
        // The first characters decide the kind; they may come a few bytes at a time from a stream.
        if (xml === undefined && json === undefined && !/\S/.test(pending.text + text)) {
          pending.text += text;
          continue;
        }
        yield* feed(pending.text + text);
        pending.text = "";
      }
    } catch (error) {
      if (error instanceof ContainerError) throw containerError(error);
      throw error;
    }
    yield* feed(pending.text + decoder.decode());

    let kind: ReportKind;
    let title: string | undefined;
    let generatedAt: string | undefined;
    let scanIds: string[];
    let webAppIds: number[];
    if (xml !== undefined && spool !== undefined) {
      xml.end();
      yield* xml.out.splice(0);
      for await (const [spooled, texts] of spool.replay()) {
        options.signal?.throwIfAborted();
        const { record, uidIsUniqueId } = xml.complete(spooled, texts, labels);
        counts.findings[record.type] = (counts.findings[record.type] ?? 0) + 1;
        yield { type: "finding", record, uidIsUniqueId };
      }
      counts.applications = xml.counts.applications;
      counts.definitions = xml.counts.definitions;
      kind = xml.kind ?? "WAS_SCAN_REPORT";
      title = xml.title;
      generatedAt = xml.generatedAt;
      scanIds = xml.scanIds;
      webAppIds = xml.webAppIds;
    } else if (json !== undefined) {
      yield* json.finish(options.signal);
      counts.applications = json.counts.applications;
      counts.definitions = json.counts.definitions;
      for (const [type, n] of Object.entries(json.counts.findings)) counts.findings[type] = n;
      kind = "GATE_RESULT";
      title = json.title;
      generatedAt = json.generatedAt;
      scanIds = json.scanIds;
      webAppIds = json.webAppIds;
    } else {
      throw new ReportFormatError(file, 1, 1, "the file is empty");
    }
    const provenance: ReportProvenance = {
      kind,
      fileName: file,
      sha256: raw.sha256(),
      bytes: raw.bytes,
      reportId: options.reportId,
      title,
      generatedAt,
      scanIds,
      webAppIds,
    };
    yield { type: "end", provenance, counts };
  } finally {
    spool?.dispose();
    gateSpool?.dispose();
  }
}
