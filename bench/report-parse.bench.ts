/**
 * Reading WAS report files: readReport (parse and normalize, no database) on generated WAS_SCAN_REPORT files
 * (bench/was-scan-report-generator.ts), each figure against a baseline in the same run:
 * - throughput against a bare saxes tokenize of the same file (same chunking, same text handlers, nothing kept):
 *   the ratio should be at least 0.7; best of five rounds each, alternating;
 * - peak resident memory of a child process reading a 100 MB and a 1 GB file: at most 200 MB, and flat;
 * - MB/s and peak memory on a 400 MB file, the size DefectDojo and Faraday were measured on;
 * - peak memory reading a report whose one response is a single base64 text node of 1 GB (streamed).
 * Sizes: REPORT_BENCH_MB (throughput file, 100), REPORT_BENCH_BIG_MB (1024, also the text node), REPORT_BENCH_DD_MB
 * (400).
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SaxesParser } from "saxes";
import { readReport } from "../packages/reports/src/index.js";
import { writeWasScanReport } from "./was-scan-report-generator.js";

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.REPORT_BENCH_MB ?? 100);
const BIG_MB = Number(process.env.REPORT_BENCH_BIG_MB ?? 1024);
const DD_MB = Number(process.env.REPORT_BENCH_DD_MB ?? 400);
const ROUNDS = 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const say = (figure: string) => console.log(`report-parse: ${figure}`);

/** The baseline: saxes over the same bytes, chunked and decoded as readReport does, every event counted. */
async function bareSaxes(file: string): Promise<number> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let events = 0;
  parser.on("opentag", () => {
    events += 1;
  });
  parser.on("closetag", () => {
    events += 1;
  });
  parser.on("text", () => {
    events += 1;
  });
  parser.on("cdata", () => {
    events += 1;
  });
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    parser.write(decoder.decode(chunk as Buffer, { stream: true }));
  }
  parser.close();
  return events;
}

async function readAll(file: string): Promise<number> {
  let findings = 0;
  for await (const item of readReport({ path: file })) if (item.type === "finding") findings += 1;
  return findings;
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

interface ChildRun {
  ms: number;
  bytes: number;
  findings: number;
  truncated: boolean;
  maxRssMb: number;
}

function child(...args: string[]): ChildRun {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(here, "report-parse-child.ts"), ...args],
    {
      encoding: "utf8",
      maxBuffer: 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
}

const dir = mkdtempSync(path.join(tmpdir(), "report-bench-"));
try {
  const main = path.join(dir, "scan-report.xml");
  const facts = await writeWasScanReport(main, SIZE_MB * MB);
  say(
    `generated ${(facts.bytes / MB).toFixed(0)} MB WAS_SCAN_REPORT: ${facts.vulnerabilities} vulnerabilities, ${facts.informationGathered} information gathered, ${facts.qids} QIDs`,
  );
  let bare = Number.POSITIVE_INFINITY;
  let ours = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round += 1) {
    bare = Math.min(bare, await seconds(() => bareSaxes(main)));
    ours = Math.min(ours, await seconds(() => readAll(main)));
  }
  const mbps = (s: number) => facts.bytes / MB / s;
  say(
    `throughput on ${(facts.bytes / MB).toFixed(0)} MB: readReport ${mbps(ours).toFixed(1)} MB/s, bare saxes ${mbps(bare).toFixed(1)} MB/s, ratio ${(bare / ours).toFixed(2)} (target >= 0.7)`,
  );

  const small = child(main);
  rmSync(main);
  const bigFile = path.join(dir, "big.xml");
  const big = await writeWasScanReport(bigFile, BIG_MB * MB);
  const bigRun = child(bigFile);
  rmSync(bigFile);
  say(
    `peak RSS reading ${(small.bytes / MB).toFixed(0)} MB: ${small.maxRssMb.toFixed(0)} MB; reading ${(big.bytes / MB).toFixed(0)} MB: ${bigRun.maxRssMb.toFixed(0)} MB; ratio ${(bigRun.maxRssMb / small.maxRssMb).toFixed(2)} (target <= 200 MB each, flat)`,
  );

  const ddFile = path.join(dir, "dd.xml");
  const dd = await writeWasScanReport(ddFile, DD_MB * MB);
  const ddRun = child(ddFile);
  rmSync(ddFile);
  const ddMbps = dd.bytes / MB / (ddRun.ms / 1000);
  say(
    `${(dd.bytes / MB).toFixed(0)} MB WAS_SCAN_REPORT in a child process: ${ddMbps.toFixed(1)} MB/s, peak RSS ${ddRun.maxRssMb.toFixed(0)} MB, ${ddRun.findings} findings; against DefectDojo's 22.7 MB/s and 1.44 GiB: ${(ddMbps / 22.7).toFixed(1)}x the speed, ${((1.44 * 1024) / ddRun.maxRssMb).toFixed(1)}x less memory (target >= 2x, >= 7x)`,
  );

  const huge = child("--huge-text", String(BIG_MB));
  say(
    `one base64 text node of ${BIG_MB} MB: ${(huge.bytes / MB / (huge.ms / 1000)).toFixed(1)} MB/s, peak RSS ${huge.maxRssMb.toFixed(0)} MB, evidence truncated: ${huge.truncated}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
