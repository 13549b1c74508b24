/**
 * Importing a WAS report file into a store: `importReport` over `readReport` (the `import` command's path: read,
 * normalize, write in one transaction) on a generated WAS_SCAN_REPORT (bench/was-scan-report-generator.ts),
 * against a bare saxes tokenize of the same file in the same run:
 * - into SQLite, a fresh database file per round: the ratio import/tokenize should be at least 0.5;
 * - into PostgreSQL (when PG_URL is set; CI sets it), a fresh database `qc_bench_import_<pid>` dropped at the
 *   end: the ratio is reported.
 * Five rounds, tokenize and import side by side in each: the throughputs are the best of the rounds, the ratio the
 * median of the rounds' own ratios (a round's two figures share the machine's load of the moment; these machines
 * are noisy).
 * Size: REPORT_IMPORT_BENCH_MB (default 50).
 */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { SaxesParser } from "saxes";
import { readReport } from "../packages/reports/src/index.js";
import { openStore } from "../packages/store/src/index.js";
import { importReport } from "../packages/sync/src/index.js";
import { writeWasScanReport } from "./was-scan-report-generator.js";

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.REPORT_IMPORT_BENCH_MB ?? 50);
const ROUNDS = 5;
const PG_URL = process.env.PG_URL || undefined;
const SUBSCRIPTION = { apiUrl: "file:", username: "bench" };
const say = (figure: string) => console.log(`report-import: ${figure}`);

/** The floor: saxes over the same bytes, read and decoded in the same chunks as the reader, every event counted. */
async function tokenize(file: string): Promise<number> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let events = 0;
  const count = () => {
    events += 1;
  };
  parser.on("opentag", count);
  parser.on("closetag", count);
  parser.on("text", count);
  parser.on("cdata", count);
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }))
    parser.write(decoder.decode(chunk as Buffer, { stream: true }));
  parser.close();
  return events;
}

/**
 * Import the file into a fresh store at `location`; returns the seconds of the import alone (opening and migrating
 * the new database is a fixed cost, not part of reading the file) and the findings written.
 */
async function importInto(location: string, file: string): Promise<{ seconds: number; findings: number }> {
  const store = await openStore(location);
  try {
    await store.migrate();
    const subscriptionId = await store.subscription(SUBSCRIPTION);
    const t0 = performance.now();
    const result = await importReport(store, readReport({ path: file }), { subscriptionId });
    const elapsed = (performance.now() - t0) / 1000;
    if (result.outcome !== "imported") throw new Error(`expected a fresh import, got ${result.outcome}`);
    return { seconds: elapsed, findings: result.counts.findings.added };
  } finally {
    await store.close();
  }
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

interface Round {
  tokenize: number;
  import: number;
}

/** Best of the rounds, each side on its own: the least disturbed run of each. */
function best(rounds: readonly Round[]): Round {
  return {
    tokenize: Math.min(...rounds.map((r) => r.tokenize)),
    import: Math.min(...rounds.map((r) => r.import)),
  };
}

/** The median of the rounds' ratios import/tokenize (throughput of the import over that of the tokenize). */
function medianRatio(rounds: readonly Round[]): number {
  const ratios = rounds.map((r) => r.tokenize / r.import).sort((a, b) => a - b);
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2 === 1 ? (ratios[mid] ?? 0) : ((ratios[mid - 1] ?? 0) + (ratios[mid] ?? 0)) / 2;
}

function report(
  name: string,
  bytes: number,
  findings: number,
  rounds: readonly Round[],
  floor?: number,
): void {
  const figures = best(rounds);
  const mbps = (s: number) => (bytes / MB / s).toFixed(1);
  const ratio = medianRatio(rounds);
  say(
    `${name}: import ${mbps(figures.import)} MB/s (${(findings / figures.import).toFixed(0)} findings/s) vs bare saxes tokenize ${mbps(figures.tokenize)} MB/s; ` +
      `ratio import/tokenize ${ratio.toFixed(2)}${floor === undefined ? "" : ` (floor ${floor})`} (${(bytes / MB).toFixed(0)} MB WAS_SCAN_REPORT, ${findings} findings; speeds best of ${ROUNDS} rounds, ratio their median)`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), "qc-bench-import-"));
try {
  const file = path.join(dir, "report.xml");
  const facts = await writeWasScanReport(file, SIZE_MB * MB);

  const sqliteRounds: Round[] = [];
  let findings = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const tokenizeSeconds = await seconds(() => tokenize(file));
    const imported = await importInto(`sqlite:${path.join(dir, `store-${round}.db`)}`, file);
    findings = imported.findings;
    sqliteRounds.push({ tokenize: tokenizeSeconds, import: imported.seconds });
  }
  report("SQLite", facts.bytes, findings, sqliteRounds, 0.5);

  if (PG_URL) {
    const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    await admin.connect();
    const name = `qc_bench_import_${process.pid}`;
    try {
      const pgRounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
        const url = new URL(PG_URL);
        url.pathname = `/${name}`;
        const tokenizeSeconds = await seconds(() => tokenize(file));
        const imported = await importInto(url.toString(), file);
        findings = imported.findings;
        pgRounds.push({ tokenize: tokenizeSeconds, import: imported.seconds });
      }
      report("PostgreSQL", facts.bytes, findings, pgRounds);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  } else say("PostgreSQL: skipped, PG_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/postgres)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
