/**
 * Streaming readers of Qualys WAS report files and the gate's result.json (docs/import.md): one pass over the
 * bytes, constant memory, yielding the records the store keeps and then the report's provenance.
 */

export type { ReportCounts, ReportItem, ReportKind, ReportProvenance } from "@qualys-connector/model";
export { type ReadReportOptions, readReport } from "./read-report.js";
export { ReportFormatError } from "./report-format-error.js";
export type { ReportSource } from "./report-input.js";
