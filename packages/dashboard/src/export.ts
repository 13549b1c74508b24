/**
 * The export of a findings filter as CSV or JSON Lines: the same query as the page (no cursor: from the first
 * row), streamed a batch at a time so a million rows never sit in memory.
 */

import type { FindingListRow, StoreReader } from "@qualys-connector/store";
import type { FindingsView } from "./query.js";

/** Cells a spreadsheet would run as a formula start with one of these; such a cell gets a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula prefixes neutralized, quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The exported fields, in column order: every field of the list (the evidence stays on the finding's page). */
const CSV_FIELDS: readonly [string, (row: FindingListRow) => string | number | boolean | undefined][] = [
  ["subscription_id", (r) => r.subscriptionId],
  ["uid", (r) => r.record.uid],
  ["finding_id", (r) => r.record.id],
  ["web_app_id", (r) => r.record.webAppId],
  ["web_app_name", (r) => r.webAppName],
  ["qid", (r) => r.record.qid],
  ["title", (r) => r.record.name],
  ["type", (r) => r.record.type],
  ["potential", (r) => r.record.potential],
  ["severity", (r) => r.record.severity],
  ["severity_label", (r) => r.record.severityLabel],
  ["status", (r) => r.record.status],
  ["url", (r) => r.record.url],
  ["param", (r) => r.record.param],
  ["first_detected", (r) => r.record.firstDetectedDate],
  ["last_detected", (r) => r.record.lastDetectedDate],
  ["last_tested", (r) => r.record.lastTestedDate],
  ["fixed", (r) => r.record.fixedDate],
  ["times_detected", (r) => r.record.timesDetected],
  ["authenticated", (r) => r.record.authenticated],
  ["ignored", (r) => r.record.isIgnored],
  ["ignored_reason", (r) => r.record.ignoredReason],
  ["cwe", (r) => r.record.cwe.join(" ")],
  ["owasp", (r) => r.record.owasp.join(" ")],
  ["wasc", (r) => r.record.wasc.join(" ")],
  ["source", (r) => r.source],
];

function jsonLine(row: FindingListRow): string {
  const { evidence: _evidence, ...record } = row.record;
  return `${JSON.stringify({ subscriptionId: row.subscriptionId, source: row.source, webAppName: row.webAppName, ...record })}\n`;
}

/** The export as a stream of text chunks (one per batch). */
export function exportStream(
  reader: StoreReader,
  view: FindingsView,
  format: "csv" | "jsonl",
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = reader
    .exportFindings({ filter: view.filter, sort: view.sort, direction: view.direction })
    [Symbol.asyncIterator]();
  let headerSent = format === "jsonl";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${CSV_FIELDS.map(([name]) => name).join(",")}\r\n`));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      const text =
        format === "csv"
          ? next.value
              .map((row) => `${CSV_FIELDS.map(([, get]) => csvCell(get(row))).join(",")}\r\n`)
              .join("")
          : next.value.map(jsonLine).join("");
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await batches.return?.();
    },
  });
}
