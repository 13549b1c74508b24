/**
 * The dashboard on a big store: 1,000,000 findings over 2,000 web apps (SQLite; PostgreSQL too when PG_URL is
 * set). The store is filled by one INSERT … SELECT over a generated series per table (seconds, not the minutes of
 * a million upserts) and cached under the temporary folder, keyed by BENCH_KEY, so a rerun starts at once.
 * The server is the built CLI (`qualys-connector dashboard`, packages/cli/dist/cli.js: run `npm run build` first)
 * in its own process; its peak RSS is its VmHWM. For each page: p50 and p95 of the time from request to the last
 * byte of the answer over loopback (server time plus a loopback round trip), and the first load in Chromium
 * (time to content: domContentLoadedEventEnd) when /usr/bin/chromium exists. Target: p95 < 150 ms, RSS < 250 MB.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { chromium } from "playwright-core";
import { openStore, openStoreReader } from "../packages/store/src/index.js";

const FINDINGS = 1_000_000;
const WEB_APPS = 2_000;
/** Bump when the generated data changes: the cached store is rebuilt. */
const BENCH_KEY = `v2-${FINDINGS}-${WEB_APPS}`;
const SAMPLES = 40;
const WARMUP = 3;
const PG_URL = process.env.PG_URL || undefined;
const CHROMIUM = "/usr/bin/chromium";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(root, "packages", "cli", "dist", "cli.js");

/** A two-digit text of an integer expression, in SQL both dialects run. */
const pad2 = (x: string) => `case when (${x}) < 10 then '0' || (${x}) else '' || (${x}) end`;

function applicationsSql(series: string): string {
  return `insert into applications (subscription_id, uid, source, content_hash, first_seen_at, last_seen_at, vanished_at,
      id, name, url, owner_id, tags, categories, created_date, updated_date, labels)
    select 1, '' || n, case when n % 4 = 0 then 'report' else 'api' end, 'bench', '2025-01-01T00:00:00Z', '2025-11-01T00:00:00Z', null,
      n, 'Web app ' || n, 'https://app' || n || '.example.test/', null, '[]', '[]', null, null,
      case when n % 3 = 0 then '["prod"]' else '[]' end
    from ${series}`;
}

function findingsSql(series: string): string {
  return `insert into findings (subscription_id, uid, source, content_hash, first_seen_at, last_seen_at, vanished_at, id,
      web_app_id, qid, name, type, potential, status, severity, severity_label, url, param, first_detected_date,
      last_detected_date, last_tested_date, fixed_date, times_detected, is_ignored, ignored_reason, ignored_date, cwe,
      owasp, wasc, categories, evidence_request, evidence_response, evidence_truncated, authenticated, fingerprint)
    select 1, 'f-' || n, case when n % 5 = 0 then 'report' else 'api' end, 'bench', '2025-01-01T00:00:00Z',
      '2025-11-01T00:00:00Z', null, n,
      1 + n % ${WEB_APPS}, 150000 + n % 500, 'Finding title ' || (n % 500),
      case when n % 10 = 0 then 'INFORMATION_GATHERED' else 'VULNERABILITY' end,
      case when n % 4 = 0 then 1 else 0 end,
      case when n % 10 = 0 then null when n % 7 = 0 then 'FIXED' else 'ACTIVE' end,
      1 + (n / 7) % 5,
      case 1 + (n / 7) % 5 when 5 then 'Critical' when 4 then 'High' when 3 then 'Medium' else 'Low' end,
      'https://app' || (1 + n % ${WEB_APPS}) || '.example.test/p/' || n,
      case when n % 2 = 0 then 'q' else null end,
      '2024-' || ${pad2("n % 12 + 1")} || '-' || ${pad2("n % 28 + 1")} || 'T00:00:00Z',
      '2025-' || ${pad2("(n * 7) % 12 + 1")} || '-' || ${pad2("(n * 3) % 28 + 1")} || 'T' || ${pad2("n % 24")} || ':00:00Z',
      '2025-11-' || ${pad2("n % 28 + 1")} || 'T00:00:00Z',
      case when n % 7 = 0 then '2025-10-01T00:00:00Z' else null end,
      1 + n % 9, case when n % 50 = 0 then 1 else 0 end, null, null,
      case when n % 2 = 0 then '["CWE-79"]' else '["CWE-89"]' end, '["A03:2021"]', '["WASC-8"]', '[]',
      'GET /p/' || n || ' HTTP/1.1', 'HTTP/1.1 200 OK', 0, n % 2, null
    from ${series}`;
}

/** Fill a migrated store (subscription 1) with the generated applications and findings. */
async function fill(location: string, dialect: "sqlite" | "postgres"): Promise<void> {
  const store = await openStore(location);
  await store.migrate();
  const id = await store.subscription({ apiUrl: "http://bench.invalid", username: "bench" });
  if (id !== 1) throw new Error(`expected a new store, subscription ${id}`);
  await store.close();
  if (dialect === "sqlite") {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    const db = new BetterSqlite3(location.replace(/^sqlite:/, ""));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    const series = (count: number) =>
      `(with recursive s(n) as (select 1 union all select n + 1 from s where n < ${count}) select n from s)`;
    db.exec("begin");
    db.exec(applicationsSql(series(WEB_APPS)));
    db.exec(findingsSql(series(FINDINGS)));
    db.exec("commit");
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query(applicationsSql(`generate_series(1, ${WEB_APPS}) as g(n)`));
    await client.query(findingsSql(`generate_series(1, ${FINDINGS}) as g(n)`));
    await client.query("analyze");
    await client.end();
  }
}

interface RunningServer {
  url: string;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** The built CLI's dashboard in its own process, read-only over `location`. */
async function startServer(location: string): Promise<RunningServer> {
  const child = spawn(process.execPath, [CLI, "dashboard", "--db", location, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /dashboard on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the dashboard exited ${code}: ${text}`)));
  });
  return {
    url,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timeRequest(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
}

/** The cursor of page `page` of the default list (severity, then last detected), read once from the store. */
async function deepCursor(location: string, page: number): Promise<string> {
  const reader = await openStoreReader(location);
  try {
    // Walk by the reader itself: the same keyset the server uses, 50 rows a page.
    let after: Parameters<typeof reader.findings>[0]["after"];
    for (let i = 1; i < page; i++) {
      const next = (
        await reader.findings({ filter: {}, sort: "severity", direction: "desc", limit: 50, after })
      ).next;
      if (next === undefined) throw new Error(`fewer than ${page} pages`);
      after = next;
    }
    return Buffer.from(JSON.stringify(after), "utf8").toString("base64url");
  } finally {
    await reader.close();
  }
}

async function measure(label: string, location: string): Promise<void> {
  const server = await startServer(location);
  try {
    const cursor = await deepCursor(location, 1000);
    const pages: [string, (i: number) => string][] = [
      ["findings, no filter", () => "findings"],
      ["findings, web app + severity", (i) => `findings?app=${1 + ((i * 37) % WEB_APPS)}&sev=${1 + (i % 5)}`],
      ["findings, sorted by severity then last detected", () => "findings?sort=severity&dir=desc"],
      ["findings, page 1000", () => `findings?after=${cursor}`],
      ["applications", () => "applications"],
      ["applications, severity 5 present", () => "applications?sev=5&sort=lastScan&dir=desc"],
    ];
    for (const [name, path] of pages) {
      for (let i = 0; i < WARMUP; i++) await timeRequest(`${server.url}${path(i)}`);
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) times.push(await timeRequest(`${server.url}${path(i)}`));
      console.log(
        `dashboard ${label} ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`,
      );
    }
    if (existsSync(CHROMIUM)) {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        for (const [name, path] of pages) {
          const loads: number[] = [];
          for (let i = 0; i < 3; i++) {
            const page = await browser.newPage();
            await page.goto(`${server.url}${path(i)}`);
            loads.push(
              await page.evaluate(() => {
                const [entry] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
                return entry ? entry.domContentLoadedEventEnd : Number.NaN;
              }),
            );
            await page.close();
          }
          console.log(
            `dashboard ${label} ${name}: Chromium time to content ${percentile(loads, 50).toFixed(0)} ms (median of 3)`,
          );
        }
      } finally {
        await browser.close();
      }
    }
    console.log(`dashboard ${label} server peak RSS: ${server.peakRssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
  }
}

async function sqliteStore(): Promise<string> {
  const dir = path.join(tmpdir(), "qc-dashboard-bench");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${BENCH_KEY}.db`);
  const location = `sqlite:${file}`;
  if (existsSync(file)) {
    try {
      const reader = await openStoreReader(location);
      const count = await reader.countFindings({ includeIgnored: true });
      await reader.close();
      if (count.capped) return location;
    } catch {
      // Behind the migrations or incomplete: rebuilt below.
    }
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
  const started = performance.now();
  await fill(location, "sqlite");
  console.log(
    `dashboard sqlite store filled in ${((performance.now() - started) / 1000).toFixed(1)} s (cached at ${file})`,
  );
  return location;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  await measure("sqlite", await sqliteStore());
  if (PG_URL !== undefined) {
    const name = `qc_dash_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const location = PG_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    try {
      const started = performance.now();
      await fill(location, "postgres");
      console.log(
        `dashboard postgres store filled in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      await measure("postgres", location);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
}

await main();
