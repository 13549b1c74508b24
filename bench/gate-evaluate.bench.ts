/**
 * A WAS gate at scale: 50,000 vulnerabilities over 600 QIDs, with hostile payload text in URLs, parameters and
 * KnowledgeBase text. Figures, each against a baseline in the same run where one makes sense:
 * - `evaluate` (median of 3) vs the floor every evaluation pays (copy each finding, look it up in the baseline);
 * - each writer vs a compact `JSON.stringify` of the same result, with output sizes, and `writeGateOutputs`;
 * - RSS and heap at each step, and the peak RSS;
 * - the API calls of one gate run, counted by the real runner (`runWasGate` over `wasGateApi`) against a fake
 *   client and a virtual clock, so the count follows the code rather than a hand-made sum.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Clock, KbVuln, QualysClient, WasScanResults, WebApp } from "@qualys-connector/client";
import {
  type Baseline,
  type EvaluationInput,
  EXIT_CODES,
  evaluate,
  type GateResult,
  type GateScan,
  KB_BATCH,
  normalizePolicy,
  type Policy,
  type PolicyException,
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  runWasGate,
  wasGateApi,
  writeGateOutputs,
} from "@qualys-connector/gate";
import {
  fingerprint,
  type ScanFinding,
  type Severity,
  type VulnerabilityDefinition,
} from "@qualys-connector/model";

const FINDINGS = 50_000;
const QIDS = 600;
const WEB_APP_ID = 4242;
const SCAN_ID = 9_876_543;
// The CLI's `--poll-interval` default is 5m (packages/cli/src/commands/scan-was.ts).
const POLL_INTERVAL_MS = 5 * 60_000;
const SCAN_DURATION_MS = 2 * 60 * 60_000;
// Fixed, so exception expiry and generatedAt do not move between runs.
const NOW = new Date("2025-06-02T12:00:00Z");

const say = (figure: string) => console.log(`gate-evaluate: ${figure}`);
const ms = (t0: number) => performance.now() - t0;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function check(condition: boolean, message: string): void {
  // A bench that times a broken path reports nonsense; stop instead.
  if (!condition) throw new Error(`gate-evaluate: ${message}`);
}

function memory(when: string): void {
  const { rss, heapUsed } = process.memoryUsage();
  say(`memory ${when}: rss ${mb(rss)} MB, heapUsed ${mb(heapUsed)} MB`);
}

/** mulberry32: a seeded generator, so every run measures the same data set. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(20250602);
const pick = <T>(values: readonly T[]): T => {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error("pick from an empty list");
  return value;
};

// Payloads a scanner really records in URLs, parameters and KB text; the writers must escape all of them.
const HOSTILE = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(document.cookie)>',
  "a|b|c",
  "' OR '1'='1' -- |",
  "]]></x><!--",
  "`rm -rf /`",
];

// Every second QID from 150000, so about 50 fall in the failOnQids range 150000-150100.
const qids = Array.from({ length: QIDS }, (_, i) => 150_000 + i * 2);

function severityFor(): Severity {
  // All five levels, weighted towards the low ones so the severity-4 and -5 criteria see realistic counts.
  const r = random();
  return r < 0.25 ? 1 : r < 0.5 ? 2 : r < 0.75 ? 3 : r < 0.9 ? 4 : 5;
}

function text(sentence: string, length: number): string {
  let out = "";
  while (out.length < length) out += `${sentence} `;
  return out.slice(0, length).trim();
}

const definitions = new Map<number, VulnerabilityDefinition>();
for (const [i, qid] of qids.entries()) {
  const hostile = i % 7 === 0 ? ` Example payload: ${pick(HOSTILE)}.` : "";
  definitions.set(qid, {
    qid,
    title:
      i % 11 === 0
        ? `Reflected input ${pick(HOSTILE)} in QID ${qid}`
        : `Web finding ${qid}: ${pick(["Cross-Site Scripting", "SQL Injection", "Path Disclosure", "Cookie Without Secure Flag", "Open Redirect"])}`,
    severity: severityFor(),
    category: "Web Application",
    vulnType: "Vulnerability",
    diagnosis: text(
      `The scanner sent a crafted value to a parameter and found it reflected in the response without encoding.${hostile}`,
      420,
    ),
    consequence: text(
      "An attacker can run script in the victim's browser session or read data | they should not.",
      300,
    ),
    solution: text(
      "Encode every value written into HTML, attributes and scripts for its context; validate input against an allow list; set HttpOnly and Secure on session cookies.",
      400,
    ),
    cves: i % 5 === 0 ? [`CVE-2024-${10_000 + i}`] : [],
    cvssV2Base: undefined,
    cvssV3Base: 4 + (i % 6),
    cvssV3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    pci: i % 3 === 0,
    cwe: ["CWE-79"],
    owasp: ["A03"],
    wasc: ["WASC-8"],
  });
}

const PATHS = ["/a/products", "/a/cart", "/b/search", "/api/v2/items", "/account/settings", "/static/js"];
const PARAMS = ["q", "id", "page", "sort|order", "redirect", '"><svg onload=alert(1)>', ""];

function urlFor(i: number): string {
  // About three QIDs share each URL, as on a real site; host case and default port vary as scans report them.
  const n = Math.floor(i / 3);
  const host = n % 9 === 0 ? "https://Shop.Example:443" : "https://shop.example";
  const base = `${host}${PATHS[n % PATHS.length]}/${n}`;
  switch (n % 4) {
    case 0:
      return `${base}?q=${pick(HOSTILE)}&page=${n % 50}`;
    case 1:
      return `${base}?sort=price|desc&id=${n}`;
    case 2:
      return `${base}?session=${Math.floor(random() * 1e9)}`;
    default:
      return base;
  }
}

interface Vulnerability {
  qid: number;
  url: string;
  param: string | undefined;
  /** One entry per instance: found while authenticated or not. */
  instances: boolean[];
}

// Every QID at least once; then skewed, so a few QIDs carry most findings (as on real sites).
const vulnerabilities: Vulnerability[] = Array.from({ length: FINDINGS }, (_, i) => {
  const qid = i < QIDS ? qids[i] : qids[Math.floor(QIDS * random() ** 2)];
  if (qid === undefined) throw new Error("QID index out of range");
  const count = 1 + Math.floor(random() * 3);
  // "" stands for a finding without a parameter.
  const param = pick(PARAMS);
  return {
    qid,
    url: urlFor(i),
    param: param === "" ? undefined : param,
    instances: Array.from({ length: count }, () => random() < 0.6),
  };
});

const target = String(WEB_APP_ID);
const scan: GateScan = {
  kind: "was",
  id: String(SCAN_ID),
  name: "bench gate scan",
  reference: "was/1748865600000.12345",
  status: "FINISHED",
  resultsStatus: "FINISHED",
  authStatus: "SUCCESSFUL",
  launchedDate: "2025-06-02T10:00:00Z",
  durationSec: SCAN_DURATION_MS / 1000,
  target: { id: target, name: "Shop <prod> | EU", url: "https://shop.example/" },
  portalUrl: `https://qualysguard.qg2.apps.qualys.eu/was/#/reports/online-reports/email-report/scan/${SCAN_ID}`,
};

memory("at start");
const buildStarted = performance.now();
const findings: ScanFinding[] = vulnerabilities.map((v) => {
  const definition = definitions.get(v.qid);
  return {
    fingerprint: fingerprint({ target, qid: v.qid, url: v.url, param: v.param }),
    qid: v.qid,
    title: definition?.title ?? `QID ${v.qid}`,
    severity: definition?.severity,
    target,
    url: v.url,
    param: v.param,
    authenticated: v.instances.some((a) => a),
    unauthenticated: v.instances.some((a) => !a),
    instances: v.instances.length,
    potential: false,
    definition,
  };
});
// Every other finding was already there last time: half are new.
const baseline = new Set(findings.filter((_, i) => i % 2 === 0).map((f) => f.fingerprint));
check(baseline.size > 20_000, `baseline has only ${baseline.size} distinct fingerprints`);

const flagPolicy = normalizePolicy(
  { maxSeverityCount: "5=0,4=10", minSeverity: "3", failOnQids: "150000-150100", excludeQids: "150050" },
  undefined,
);
// 20 exceptions: half scoped to a QID range, half also to a URL glob, some matching nothing (as old ones do).
const exceptions: PolicyException[] = Array.from({ length: 20 }, (_, i) => {
  // The last two name QIDs this scan never reports, so the report also shows unused exceptions.
  const from = i >= 18 ? 160_000 + i : 150_100 + i * 40;
  return {
    id: `EXC-${String(i + 1).padStart(2, "0")}`,
    reason: `Accepted risk ${i + 1}: compensating WAF rule | ticket SEC-${1000 + i} <b>reviewed</b>`,
    expires: "2099-12-31",
    qids: [{ from, to: from + (i % 3 === 0 ? 0 : 6) }],
    targets: undefined,
    urls: i % 2 === 0 ? ["https://shop.example/a*"] : undefined,
  };
});
const policy: Policy = { ...flagPolicy, exceptions };

const input: EvaluationInput = {
  scan,
  findings,
  statsCounts: undefined,
  completion: { complete: true },
  resultsAvailable: true,
  baseline,
  completionLabel: "WAS could scan the web application",
};
say(
  `build ${FINDINGS} findings (fingerprints, definitions) and a baseline of ${baseline.size}: ${ms(buildStarted).toFixed(0)} ms`,
);
memory("after building the input");

// The floor any evaluation pays: one copy of each finding and one baseline lookup.
const floorTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  const copies = findings.map((f) => ({ ...f, disposition: "counted", isNew: !baseline.has(f.fingerprint) }));
  floorTimes.push(ms(t0));
  check(copies.length === FINDINGS, "floor copy lost findings");
}
const evaluateTimes: number[] = [];
let evaluation: ReturnType<typeof evaluate> | undefined;
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  evaluation = evaluate(input, policy, NOW);
  evaluateTimes.push(ms(t0));
}
if (!evaluation) throw new Error("evaluate never ran");
check(evaluation.findings.length === FINDINGS, "evaluate lost findings");
check(evaluation.verdict === "failed", `expected a failed verdict, got ${evaluation.verdict}`);
const applied = evaluation.exceptions.filter((e) => e.status === "applied").length;
const excepted = evaluation.findings.filter((f) => f.disposition === "excepted").length;
const excluded = evaluation.findings.filter((f) => f.disposition === "excluded").length;
check(
  applied > 0 && excluded > 0,
  "no exception or exclusion applied; the policy does not exercise matching",
);
say(
  `evaluate ${FINDINGS} vulnerabilities (${QIDS} QIDs, 4 criteria, 20 exceptions, baseline ${baseline.size}): ` +
    `median ${median(evaluateTimes).toFixed(0)} ms of 3 (${evaluateTimes.map((t) => t.toFixed(0)).join(", ")}) ` +
    `vs ${median(floorTimes).toFixed(0)} ms to copy each finding and look it up in the baseline; ` +
    `ratio ${(median(evaluateTimes) / median(floorTimes)).toFixed(1)}; ` +
    `${excepted} excepted by ${applied} of 20 exceptions, ${excluded} excluded`,
);
memory("after evaluating");

// The full result, as evaluateSaved (packages/gate/src/evaluate-offline.ts) builds it.
const result: GateResult = {
  schemaVersion: 1,
  tool: { name: "qualys-connector", version: "0.1.0-bench" },
  generatedAt: NOW.toISOString(),
  ...evaluation,
  exitCode: EXIT_CODES[evaluation.verdict],
  scan,
  error: undefined,
  apiCalls: {},
};

// Baseline for the writers: serializing the whole result once, compactly, is the least any output can cost.
const compactStarted = performance.now();
const compactBytes = Buffer.byteLength(JSON.stringify(result));
const compactMs = ms(compactStarted);
say(`JSON.stringify(result) compact (writer baseline): ${compactMs.toFixed(0)} ms, ${mb(compactBytes)} MB`);

const writers: [string, (r: GateResult) => string][] = [
  ["renderJson", renderJson],
  ["renderJunit", renderJunit],
  ["renderSarif", renderSarif],
  ["renderMarkdown", renderMarkdown],
  ["renderHtml", renderHtml],
];
let renderTotal = 0;
for (const [name, render] of writers) {
  const t0 = performance.now();
  const output = render(result);
  const took = ms(t0);
  renderTotal += took;
  check(output.length > 0, `${name} wrote nothing`);
  say(
    `${name}: ${took.toFixed(0)} ms, ${mb(Buffer.byteLength(output))} MB; ratio ${(took / compactMs).toFixed(1)} to the compact JSON.stringify`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), "gate-evaluate-bench-"));
try {
  const t0 = performance.now();
  writeGateOutputs(result, dir);
  const took = ms(t0);
  say(
    `writeGateOutputs (5 files into a temp dir): ${took.toFixed(0)} ms vs ${renderTotal.toFixed(0)} ms rendering alone; ratio ${(took / renderTotal).toFixed(2)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
memory("after writing the outputs");
// ru_maxrss is in kilobytes on Linux; it is the process's high-water mark, which sampling during sync work misses.
say(`peak RSS (build, evaluate, render, write): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

// API calls of one gate run, counted by wasGateApi's own `count` hook inside the real runner.
const kbBatchSizes: number[] = [];
let virtualNow = Date.parse("2025-06-02T10:00:00Z");
let launchedAt = Number.POSITIVE_INFINITY;
const clock: Clock = {
  now: () => virtualNow,
  // Virtual time: the runner's 5-minute pauses cost nothing, and the poll count is exact.
  sleep: async (pauseMs) => {
    virtualNow += pauseMs;
  },
};
const webApp: WebApp = {
  id: WEB_APP_ID,
  name: "Shop <prod> | EU",
  url: "https://shop.example/",
  ownerId: 1,
  tags: [],
  createdDate: undefined,
  updatedDate: undefined,
  defaultScannerType: "EXTERNAL",
  defaultProfileId: undefined,
};
const download: WasScanResults = {
  scan: {
    id: SCAN_ID,
    name: "bench gate scan",
    reference: scan.reference,
    type: "VULNERABILITY",
    mode: "ONDEMAND",
    status: "FINISHED",
    consolidatedStatus: "FINISHED",
    resultsStatus: "FINISHED",
    authStatus: "NONE",
    launchedDate: scan.launchedDate,
    scanDuration: SCAN_DURATION_MS / 1000,
    webApp: { id: WEB_APP_ID, name: webApp.name, url: webApp.url },
    profileId: undefined,
  },
  vulnsByLevel: [0, 0, 0, 0, 0],
  vulnsTotal: undefined,
  // WAS downloads carry no severity; the runner takes it from the KnowledgeBase (docs/qualys-api.md 3.8).
  vulns: vulnerabilities.map((v) => ({
    qid: v.qid,
    title: definitions.get(v.qid)?.title,
    uri: v.url,
    param: v.param,
    severity: undefined,
    instances: v.instances.map((authenticated) => ({ authenticated, payloads: [] })),
  })),
  igs: [],
};

/** Exactly the client members wasGateApi calls, typed from the real client so a signature change breaks this. */
interface GateClient {
  endpoints: Pick<QualysClient["endpoints"], "portal">;
  was: {
    webApps: Pick<QualysClient["was"]["webApps"], "details" | "list">;
    findings: Pick<QualysClient["was"]["findings"], "list">;
    scans: Pick<QualysClient["was"]["scans"], "list">;
    scan: Pick<QualysClient["was"]["scan"], "launch" | "status" | "cancel" | "results">;
  };
  kb: Pick<QualysClient["kb"], "vulns">;
}
const gateClient: GateClient = {
  endpoints: { portal: "https://qualysguard.qg2.apps.qualys.eu" },
  was: {
    webApps: {
      details: async () => webApp,
      async *list() {
        yield webApp;
      },
    },
    findings: {
      // No classes: this benchmark measures the KnowledgeBase path; classification is one search per 500 QIDs.
      async *list() {
        yield* [];
      },
    },
    scans: {
      // No other scan is running, so the runner launches its own.
      async *list() {
        yield* [];
      },
    },
    scan: {
      launch: async () => {
        launchedAt = virtualNow;
        return SCAN_ID;
      },
      status: async (id) => ({
        id,
        status: virtualNow - launchedAt >= SCAN_DURATION_MS ? "FINISHED" : "RUNNING",
        resultsStatus: virtualNow - launchedAt >= SCAN_DURATION_MS ? "FINISHED" : undefined,
        authStatus: "NONE",
      }),
      cancel: async () => {},
      results: async () => download,
    },
  },
  kb: {
    async *vulns(query = {}) {
      const ids = query.ids ?? [];
      kbBatchSizes.push(ids.length);
      for (const qid of ids) {
        const d = definitions.get(qid);
        if (!d) continue;
        const vuln: KbVuln = {
          qid,
          vulnType: d.vulnType,
          severity: d.severity,
          title: d.title,
          category: d.category,
          lastServiceModificationDate: undefined,
          publishedDate: undefined,
          cves: d.cves,
          diagnosis: d.diagnosis,
          consequence: d.consequence,
          solution: d.solution,
          cvssV2: undefined,
          cvssV3: { base: d.cvssV3Base, vector: d.cvssV3Vector },
          pci: d.pci,
        };
        yield vuln;
      }
    },
  },
};

const apiCalls: Record<string, number> = {};
// wasGateApi touches only the members GateClient declares; the cast widens the fake to the full client type.
const api = wasGateApi(gateClient as unknown as QualysClient, (purpose) => {
  apiCalls[purpose] = (apiCalls[purpose] ?? 0) + 1;
});
const baselineFile: Baseline = {
  kind: "qualys-connector-baseline",
  version: 1,
  createdAt: NOW.toISOString(),
  source: { scanId: undefined, target },
  findings: findings
    .filter((f) => baseline.has(f.fingerprint))
    .map((f) => ({ fingerprint: f.fingerprint, qid: f.qid, title: f.title, url: f.url, param: f.param })),
};
const runStarted = performance.now();
const run = await runWasGate(
  api,
  {
    webApp: target,
    scanName: "bench gate scan",
    type: "VULNERABILITY",
    authRecord: "none",
    scanner: { type: "EXTERNAL" },
    pollIntervalMs: POLL_INTERVAL_MS,
    timeoutMs: 24 * 60 * 60_000,
    onTimeout: "cancel",
    onRunning: "attach",
    maxPollFailures: 5,
    clock,
    tool: { name: "qualys-connector", version: "0.1.0-bench" },
  },
  policy,
  baselineFile,
  apiCalls,
);
const runMs = ms(runStarted);
if ("kind" in run) throw new Error("gate-evaluate: the runner returned a launched scan instead of a result");
check(run.verdict !== "error", `the runner failed: ${run.error?.message ?? run.reason}`);
check(run.findings.length === FINDINGS, `the runner evaluated ${run.findings.length} findings`);
// Same data through the download path must give the same verdict as the findings built above.
check(
  run.reason === evaluation.reason,
  `runner and direct evaluation disagree:\n${run.reason}\n${evaluation.reason}`,
);

const kbBatches = Math.ceil(QIDS / KB_BATCH);
check(
  (apiCalls.kb ?? 0) === kbBatches,
  `the runner made ${apiCalls.kb ?? 0} KB calls, ceil(${QIDS}/${KB_BATCH}) is ${kbBatches}`,
);
say(
  `kb batches for ${QIDS} QIDs: ${kbBatches} (KB_BATCH ${KB_BATCH}; batch sizes ${kbBatchSizes.join(", ")})`,
);
const polls = apiCalls.status ?? 0;
const total = Object.values(apiCalls).reduce((sum, n) => sum + n, 0);
const others = Object.entries(apiCalls)
  .filter(([purpose]) => purpose !== "status")
  .map(([purpose, n]) => `${purpose} ${n}`)
  .join(", ");
say(
  `api calls per gate run (launch, running-scan check, web app lookup, download, kb) excluding polls: ${total - polls} (${others})`,
);
say(`polls for a 2-hour scan at the default 5-minute interval: ${polls}`);
say(
  `whole gate run through runWasGate (fake API, virtual clock, download -> findings -> KB -> evaluate): ${runMs.toFixed(0)} ms; ` +
    `ratio ${(runMs / median(evaluateTimes)).toFixed(1)} to evaluate alone`,
);
