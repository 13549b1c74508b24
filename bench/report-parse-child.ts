/**
 * Reads one report file with readReport in its own process and prints, as one JSON line, how long it took, what it
 * yielded and the process's peak resident memory: the figure the report-parse benchmark compares across sizes.
 */
import { readReport } from "../packages/reports/src/index.js";

const file = process.argv[2];
if (!file) throw new Error("usage: report-parse-child.ts FILE");
const t0 = performance.now();
let findings = 0;
let bytes = 0;
for await (const item of readReport({ path: file })) {
  if (item.type === "finding") findings += 1;
  else if (item.type === "end") bytes = item.provenance.bytes;
}
const ms = performance.now() - t0;
// resourceUsage().maxRSS is in kilobytes.
console.log(JSON.stringify({ ms, bytes, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
