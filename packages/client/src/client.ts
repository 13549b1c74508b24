/**
 * `createQualysClient`: one client per subscription, with its own limiter, session and token, and namespaced
 * endpoint functions (STYLE.md).
 */

import type { Dispatcher } from "undici";
import { authSecrets } from "./auth.js";
import { QualysConfigError } from "./errors.js";
import { type Auth, type ClientEvent, HttpCore } from "./http-client.js";
import { KnowledgeBase } from "./kb.js";
import { type Clock, systemClock } from "./limiter.js";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, PAGE_SIZE } from "./limits.js";
import { type OptionMessage, opt, optionMessage } from "./option-message.js";
import { endpointsFromApiUrl, platformEndpoints } from "./platforms.js";
import { readServiceResponse } from "./qps-envelope.js";
import { DEFAULT_RETRY, type RetryOptions } from "./retry.js";
import { ConnectorApi, HostApi, VmScanApi, WasScanApi } from "./scans.js";
import {
  createDispatcher,
  proxySecrets,
  type StreamTransport,
  type Transport,
  type TransportOptions,
  undiciStreamTransport,
  undiciTransport,
} from "./transport.js";
import { VmLists } from "./vm.js";
import { QpsObjects } from "./was.js";
import { WasReportApi } from "./was-report-api.js";
import { toFinding, toNamedObject, toReportSummary, toWasScan, toWebApp } from "./was-schema.js";

const QPS3 = "/qps/rest/3.0";

import { parseXml, text } from "./xml.js";

export interface QualysClientOptions extends TransportOptions {
  /** API server URL, or `platform`. */
  apiUrl?: string;
  /** Same as `apiUrl`. */
  baseUrl?: string;
  platform?: string;
  /** Gateway URL, when it cannot be derived (private cloud). */
  gatewayUrl?: string;
  auth: Auth;
  /** Total deadline of one request (headers and body); 0 disables. Default 120 s. */
  timeoutMs?: number;
  /**
   * Longest response body the client reads, in bytes; a longer one is a QualysResponseTooLargeError naming the
   * endpoint. Default 64 MiB.
   */
  maxResponseBytes?: number;
  /** The same for scan results and report downloads. Default 256 MiB. */
  maxDownloadBytes?: number;
  /** Retries of idempotent calls. Default 5 (shorthand for `retry.maxRetries`). */
  maxRetries?: number;
  retry?: Partial<RetryOptions>;
  /** Longest limit wait the client sits through on its own, in seconds. Default 3700 (see `CoreOptions`). */
  maxWaitSec?: number;
  /** Calls in flight at once. Default 2. */
  concurrency?: number;
  /** Page size of searches. Default 100. */
  pageSize?: number;
  /** A fake transport for tests, or any other; wins over `dispatcher` and the proxy/CA options. */
  transport?: Transport;
  /**
   * The transport of streamed downloads (`was.report.downloadStream`). Default: over the same dispatcher as the
   * other calls; with a custom `transport` and no `streamTransport`, bodies come through `transport` whole.
   */
  streamTransport?: StreamTransport;
  /** An undici dispatcher of the caller's (e.g. a MockAgent or a shared Agent); wins over proxy/CA options. */
  dispatcher?: Dispatcher;
  log?: (event: ClientEvent) => void;
  clock?: Clock;
  random?: () => number;
  userAgent?: string;
}

export type QualysClient = ReturnType<typeof createQualysClient>;

/**
 * The secret values these options hold, as they travel: the password and the base64 of `user:password` (or the
 * OAuth client secret), and the proxy's password and base64 of its `user:password`. Pass them to `redact` wherever
 * text leaves the process; a client's own `secrets()` adds the session id and the token once it has them.
 */
export function knownSecrets(options: Pick<QualysClientOptions, "auth" | "proxy">): string[] {
  return [...authSecrets(options.auth), ...proxySecrets(options.proxy)];
}
/** A page of 1000 verbose findings is a few MB; 64 MiB leaves room while keeping a hostile body out of memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Scan results and reports of large scans run to tens of MB; V8 strings stop near 512 MiB anyway. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

export function createQualysClient(options: QualysClientOptions) {
  const problems: OptionMessage[] = [];
  const apiUrl = options.apiUrl ?? options.baseUrl;
  if (!apiUrl && !options.platform)
    problems.push(optionMessage`${opt("apiUrl")} or ${opt("platform")} is required`);
  const pageSize = options.pageSize ?? PAGE_SIZE.default;
  if (!Number.isInteger(pageSize) || pageSize < PAGE_SIZE.min || pageSize > PAGE_SIZE.max)
    problems.push(
      optionMessage`${opt("pageSize")}: ${pageSize} must be ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`,
    );
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    problems.push(optionMessage`${opt("concurrency")}: ${concurrency} must be a positive integer`);
  const maxRetries = options.retry?.maxRetries ?? options.maxRetries ?? DEFAULT_RETRY.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0)
    problems.push(optionMessage`${opt("maxRetries")}: ${maxRetries} must be 0 or more`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs >= 0)) problems.push(optionMessage`${opt("timeoutMs")}: must be 0 or more`);
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxDownloadBytes = options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  for (const [name, value] of [
    ["maxResponseBytes", maxResponseBytes],
    ["maxDownloadBytes", maxDownloadBytes],
  ] as const)
    if (!Number.isSafeInteger(value) || value < 1)
      problems.push(optionMessage`${opt(name)}: ${value} must be a positive integer`);
  if (problems.length > 0) throw new QualysConfigError(problems);

  const endpoints = apiUrl ? endpointsFromApiUrl(apiUrl) : platformEndpoints(options.platform ?? "");
  let transport: Transport;
  let streamTransport = options.streamTransport;
  if (options.transport) {
    transport = options.transport;
  } else {
    const dispatcher = options.dispatcher ?? createDispatcher(options);
    transport = undiciTransport(dispatcher);
    streamTransport ??= undiciStreamTransport(dispatcher);
  }
  const core = new HttpCore({
    apiUrl: endpoints.api,
    gatewayUrl: (options.gatewayUrl ?? endpoints.gateway).replace(/\/+$/, ""),
    auth: options.auth,
    transport,
    ...(streamTransport ? { streamTransport } : {}),
    timeoutMs,
    maxResponseBytes,
    maxDownloadBytes,
    retry: { ...DEFAULT_RETRY, ...options.retry, maxRetries },
    maxWaitSec: options.maxWaitSec ?? 3700,
    concurrency,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    ...(options.log ? { log: options.log } : {}),
    userAgent: options.userAgent ?? "qualys-connector/0.1.0",
    secrets: proxySecrets(options.proxy),
  });

  return {
    endpoints,
    core,
    portal: {
      /**
       * `GET /qps/rest/portal/version` (docs/qualys-api.md 1.4): module versions; also a credentials check.
       */
      async version(): Promise<Record<string, string>> {
        const path = "/qps/rest/portal/version";
        const sr = await core.callAndRead(
          { family: "qps", method: "GET", path, idempotent: true },
          (response) => readServiceResponse(response.body, core.info("GET", path)),
        );
        const out: Record<string, string> = {};
        for (const record of sr.records) {
          for (const [key, value] of Object.entries(record.value)) {
            const t = text(value);
            if (t !== undefined) out[key] = t;
          }
        }
        return out;
      },
    },
    /**
     * API v1 `/msp/about.php` (docs/qualys-api.md 1.4): WEB-VERSION, SCANNER-VERSION, VULNSIGS-VERSION. Basic
     * auth only.
     */
    async about(): Promise<Record<string, string>> {
      const path = "/msp/about.php";
      const doc = await core.callAndRead(
        { family: "msp", method: "GET", path, idempotent: true },
        (response) => parseXml(response.body, core.info("GET", path)),
      );
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries((doc.ABOUT ?? {}) as Record<string, unknown>)) {
        const t = text(value);
        if (t !== undefined) out[key] = t;
      }
      return out;
    },
    was: {
      webApps: new QpsObjects(core, "webapp", "WebApp", pageSize, QPS3, "was", toWebApp),
      findings: new QpsObjects(core, "finding", "Finding", pageSize, QPS3, "was", toFinding),
      scans: new QpsObjects(core, "wasscan", "WasScan", pageSize, QPS3, "was", toWasScan),
      scan: new WasScanApi(core),
      report: new WasReportApi(core, pageSize),
      authRecords: new QpsObjects(
        core,
        "webappauthrecord",
        "WebAppAuthRecord",
        pageSize,
        QPS3,
        "was",
        toNamedObject,
      ),
      optionProfiles: new QpsObjects(
        core,
        "optionprofile",
        "OptionProfile",
        pageSize,
        QPS3,
        "was",
        toNamedObject,
      ),
      reports: new QpsObjects(core, "report", "Report", pageSize, QPS3, "was", toReportSummary),
    },
    am: {
      awsConnectors: new QpsObjects(
        core,
        "awsassetdataconnector",
        "AwsAssetDataConnector",
        pageSize,
        "/qps/rest/2.0",
        "am",
      ),
      hostAssets: new QpsObjects(core, "hostasset", "HostAsset", pageSize, "/qps/rest/2.0", "am"),
      connectors: new ConnectorApi(core),
    },
    kb: new KnowledgeBase(core),
    vm: Object.assign(new VmLists(core), { scans: new VmScanApi(core), hosts: new HostApi(core) }),
    /** End the VM session if one was opened. Call at the end, also on failure. */
    close: () => core.logout(),
    stats: core.stats,
    /** Every secret value this client knows now (credentials, proxy, session id, token), for `redact`. */
    secrets: (): string[] => core.secrets,
  };
}
