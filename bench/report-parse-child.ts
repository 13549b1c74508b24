/**
 * Reads one report with readReport in its own process and prints, as one JSON line, how long it took, what it
 * yielded and the process's peak resident memory: the figure the report-parse benchmark compares across sizes.
 * `FILE` reads a file; `--huge-text MB` reads a generated WAS_SCAN_REPORT whose one finding's response is a
 * single base64 text node of MB megabytes, streamed (never on disk, never whole in memory).
 */
import { readReport } from "../packages/reports/src/index.js";
import { hugeTextReport } from "./was-scan-report-generator.js";

const [arg, size] = process.argv.slice(2);
if (!arg) throw new Error("usage: report-parse-child.ts FILE | --huge-text MB");
const source =
  arg === "--huge-text"
    ? { stream: hugeTextReport(Number(size) * 1024 * 1024), name: "huge-text.xml" }
    : { path: arg };
const t0 = performance.now();
let findings = 0;
let bytes = 0;
let truncated = false;
for await (const item of readReport(source)) {
  if (item.type === "finding") {
    findings += 1;
    truncated ||= item.record.evidence.truncated;
  } else if (item.type === "end") bytes = item.provenance.bytes;
}
const ms = performance.now() - t0;
// resourceUsage().maxRSS is in kilobytes.
console.log(
  JSON.stringify({ ms, bytes, findings, truncated, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
);
