/** Options of the simulator, with the defaults documented in the simulator README. */
import { generatedSpecProblems } from "./reports/generated-report.js";

export type FaultKind = "500" | "502" | "503" | "reset" | "truncate" | "slow" | "malformed" | "html" | "409";
export const FAULT_KINDS: readonly FaultKind[] = [
  "500",
  "502",
  "503",
  "reset",
  "truncate",
  "slow",
  "malformed",
  "html",
  "409",
];

export interface SimulatorOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Seed of the generated subscription; the same seed gives the same data. Default 1. */
  seed?: number;
  /** Generated web apps, besides the scenario web apps. Default 20. */
  webapps?: number;
  /** Findings per generated web app. Default 25. */
  findingsPerWebapp?: number;
  /** Generated VM hosts, besides the scenario hosts. Default 10. */
  hosts?: number;
  /** KnowledgeBase entries (at least every QID a finding or detection uses). Default 2000. */
  kbSize?: number;
  /** The main user's name. Default `sim_user`. */
  username?: string;
  /** The main user's password. Default `sim-password`. */
  password?: string;
  /** How long a scan takes from launch to FINISHED / Finished, in ms. Default 6000. */
  scanDurationMs?: number;
  /**
   * Response time of every API call, in ms: an answer leaves no sooner than this after its request arrived (the
   * simulator's own work counts toward it). Default 0.
   */
  latencyMs?: number;
  /** Calls allowed per window on limited APIs. Default 300 per 3600 s (docs/qualys-api.md 5.4, Standard). */
  rateLimit?: { calls: number; windowSec: number };
  /** Calls allowed to run at once on limited APIs. Default 2. */
  concurrencyLimit?: number;
  /**
   * Apply the VM/KB limits to WAS calls too (whether Qualys limits WAS today is UNCONFIRMED,
   * docs/qualys-api.md 3.11).
   */
  limitsOnWas?: boolean;
  /** Probability that an API call gets a fault instead of its answer. Default 0. */
  faultRate?: number;
  /** Which faults to draw from. Default all. */
  faults?: readonly FaultKind[];
  /**
   * resultsStatus a clean WAS scan reports (docs/qualys-api.md 3.8, UNCONFIRMED). Default FINISHED, as
   * Qualys' own plugins expect.
   */
  cleanResultsStatus?: "FINISHED" | "SUCCESSFUL";
  /** How long a WAS report takes to generate, in ms. Default 1500. */
  reportDurationMs?: number;
  /** How long an EC2 connector run takes, in ms. Default 1500. */
  connectorRunMs?: number;
  /**
   * Generated saved reports added to the seeded world (COMPLETE, created at start): each download is a document
   * of `findings` records with `responseBytes`-byte base64 responses, streamed to the socket. Default none.
   */
  generatedReports?: readonly GeneratedReportRequest[];
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A generated report, as `generatedReports` and `POST /__sim/reports` describe it. */
export interface GeneratedReportRequest {
  /** Report title. Default `Generated report <findings> x <responseBytes> bytes` (the hostile title when hostile). */
  name?: string;
  /** Default WAS_WEBAPP_REPORT. */
  type?: "WAS_SCAN_REPORT" | "WAS_WEBAPP_REPORT";
  /** VULNERABILITY records in the document. */
  findings: number;
  /** Decoded bytes of each record's base64 response (CONTENTS). */
  responseBytes: number;
  /** Hostile strings in every text field. Default false. */
  hostile?: boolean;
  /** Web app the report targets (its name heads the document; records stay synthetic). Default the first one. */
  webAppId?: number;
}

export type ResolvedOptions = Required<Omit<SimulatorOptions, "now">> & { now: () => number };

export const DEFAULT_USERNAME = "sim_user";
export const DEFAULT_PASSWORD = "sim-password";

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    webapps: options.webapps ?? 20,
    findingsPerWebapp: options.findingsPerWebapp ?? 25,
    hosts: options.hosts ?? 10,
    kbSize: options.kbSize ?? 2000,
    username: options.username ?? DEFAULT_USERNAME,
    password: options.password ?? DEFAULT_PASSWORD,
    scanDurationMs: options.scanDurationMs ?? 6000,
    latencyMs: options.latencyMs ?? 0,
    rateLimit: options.rateLimit ?? { calls: 300, windowSec: 3600 },
    concurrencyLimit: options.concurrencyLimit ?? 2,
    limitsOnWas: options.limitsOnWas ?? false,
    faultRate: options.faultRate ?? 0,
    faults: options.faults ?? FAULT_KINDS,
    cleanResultsStatus: options.cleanResultsStatus ?? "FINISHED",
    reportDurationMs: options.reportDurationMs ?? 1500,
    connectorRunMs: options.connectorRunMs ?? 1500,
    generatedReports: options.generatedReports ?? [],
    now: options.now ?? Date.now,
  };
  const problems = validateOptions(resolved);
  if (problems.length > 0) {
    throw new SimulatorOptionsError(problems);
  }
  return resolved;
}

export class SimulatorOptionsError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid simulator options: ${problems.join("; ")}`);
    this.name = "SimulatorOptionsError";
    this.problems = problems;
  }
}

function validateOptions(o: ResolvedOptions): string[] {
  const problems: string[] = [];
  const nonNegativeInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0)
      problems.push(`${name} must be a non-negative integer, got ${value}`);
  };
  nonNegativeInt("port", o.port);
  if (o.port > 65535) problems.push(`port must be at most 65535, got ${o.port}`);
  nonNegativeInt("seed", o.seed);
  nonNegativeInt("webapps", o.webapps);
  nonNegativeInt("findingsPerWebapp", o.findingsPerWebapp);
  nonNegativeInt("hosts", o.hosts);
  nonNegativeInt("kbSize", o.kbSize);
  nonNegativeInt("scanDurationMs", o.scanDurationMs);
  nonNegativeInt("latencyMs", o.latencyMs);
  nonNegativeInt("reportDurationMs", o.reportDurationMs);
  nonNegativeInt("connectorRunMs", o.connectorRunMs);
  if (!Number.isInteger(o.rateLimit.calls) || o.rateLimit.calls < 1) {
    problems.push(`rateLimit calls must be a positive integer, got ${o.rateLimit.calls}`);
  }
  if (!Number.isInteger(o.rateLimit.windowSec) || o.rateLimit.windowSec < 1) {
    problems.push(`rateLimit window must be a positive number of seconds, got ${o.rateLimit.windowSec}`);
  }
  if (!Number.isInteger(o.concurrencyLimit) || o.concurrencyLimit < 1) {
    problems.push(`concurrencyLimit must be a positive integer, got ${o.concurrencyLimit}`);
  }
  if (!(o.faultRate >= 0 && o.faultRate <= 1))
    problems.push(`faultRate must be between 0 and 1, got ${o.faultRate}`);
  for (const kind of o.faults) {
    if (!FAULT_KINDS.includes(kind))
      problems.push(`unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(", ")})`);
  }
  o.generatedReports.forEach((spec, i) => {
    for (const p of generatedRequestProblems(spec)) problems.push(`generatedReports[${i}]: ${p}`);
  });
  if (o.username.length === 0) problems.push("username must not be empty");
  if (o.username.includes(":")) problems.push("username must not contain ':' (RFC 7617)");
  if (o.password.length === 0) problems.push("password must not be empty");
  return problems;
}

/** Problems of a generated report request (options or control API). */
export function generatedRequestProblems(request: GeneratedReportRequest): string[] {
  const problems = generatedSpecProblems({
    findings: request.findings,
    responseBytes: request.responseBytes,
    hostile: request.hostile ?? false,
  });
  if (request.name !== undefined && (typeof request.name !== "string" || request.name.length === 0))
    problems.push("name must be a non-empty string");
  if (
    request.type !== undefined &&
    request.type !== "WAS_SCAN_REPORT" &&
    request.type !== "WAS_WEBAPP_REPORT"
  )
    problems.push(`type must be WAS_SCAN_REPORT or WAS_WEBAPP_REPORT, got ${String(request.type)}`);
  if (request.webAppId !== undefined && !Number.isInteger(request.webAppId))
    problems.push("webAppId must be an integer");
  if (request.hostile !== undefined && typeof request.hostile !== "boolean")
    problems.push("hostile must be a boolean");
  return problems;
}
