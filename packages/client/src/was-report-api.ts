/**
 * WAS reports (docs/qualys-api.md 3.10): create, status, delete, search the saved reports, and download a report
 * file, whole (`download`) or streamed from the socket (`downloadStream`).
 */

import { QualysAbortError, QualysParseError, type RequestInfo, redactError } from "./errors.js";
import { type HttpCore, readStreamText } from "./http-client.js";
import { readServiceResponse } from "./qps-envelope.js";
import { abortText, currentRequestScope } from "./request-scope.js";
import { transportFailure } from "./retry.js";
import type { HttpStreamResponse } from "./transport.js";
import { type Criterion, escapeXml, QpsObjects, qpsCall, serviceRequest } from "./was.js";
import { type ReportSummary, toReportSummary } from "./was-schema.js";
import { int, text } from "./xml.js";

const QPS3 = "/qps/rest/3.0";

export type ReportType = "WAS_SCAN_REPORT" | "WAS_WEBAPP_REPORT";
/** Report formats Qualys documents (docs/qualys-api.md 3.10). */
export type ReportFormat =
  | "WORD"
  | "HTML_ZIPPED"
  | "HTML_BASE64"
  | "PDF"
  | "PDF_ENCRYPTED"
  | "CSV"
  | "CSV_V2"
  | "XML"
  | "POWERPOINT";
/** COMPLETE is the documented ready value; RUNNING and ERROR are UNCONFIRMED (docs/qualys-api.md 3.10). */
export type ReportStatus = "RUNNING" | "COMPLETE" | "ERROR";

export interface ReportSpec {
  name: string;
  type: ReportType;
  format: "XML" | "PDF" | "HTML_ZIPPED" | "CSV" | "CSV_V2";
  /** Scan ids (scan report) or web app ids (web app report). */
  targetIds: readonly number[];
}

/**
 * What to look for among saved reports; every given criterion must match. Filters are the ones Qualys' own
 * migration scripts send to `search/was/report` (docs/qualys-api.md 3.10); names compare without regard to case
 * on the simulator (case on the real API is UNCONFIRMED). The API has no "starts with" operator: filter a
 * prefix with `nameContains` and check `name.startsWith` on the results.
 */
export interface ReportCriteria {
  /** Only these report ids (`id IN`). */
  ids?: readonly number[];
  /** `name EQUALS`. */
  name?: string;
  /** `name CONTAINS`. */
  nameContains?: string;
  type?: ReportType;
  format?: ReportFormat;
  status?: ReportStatus;
  /** Created after this instant (`creationDate GREATER`), ISO 8601, e.g. `2026-01-01T00:00:00Z`. */
  createdAfter?: string;
  /** Created before this instant (`creationDate LESSER`), ISO 8601. */
  createdBefore?: string;
  /** Reports with one of these tags (`tags.id IN`). */
  tagIds?: readonly number[];
}

export interface ReportDownloadOptions {
  /**
   * Longest wait for the next chunk of the body, in ms, once the download has started; 0 disables it. Default:
   * the client's `timeoutMs`. The client's `timeoutMs` itself bounds only the start (status, headers, first
   * bytes), so a large report can take as long as it needs while a stalled server is still noticed.
   */
  idleTimeoutMs?: number;
  /** Stops the download, also mid-body (QualysAbortError), besides the request scope's signal. */
  signal?: AbortSignal;
}

export interface ReportFile<B> {
  /** From Content-Disposition, as Qualys' GitHub Action reads it (docs/qualys-api.md 3.10). */
  fileName: string | undefined;
  contentType: string | undefined;
  body: B;
}

export interface ReportFileStream extends ReportFile<AsyncIterable<Uint8Array>> {
  /** Stop the download and close the connection (a body left unread must be cancelled). */
  cancel(): void;
}

/**
 * Bytes read (within the request deadline) before deciding whether the answer is the file or a ServiceResponse
 * envelope: room for a byte-order mark, an XML declaration and the root element's name, and little enough that
 * any real server sends it at once.
 */
const HEAD_BYTES = 256;

function fileMeta(headers: Record<string, string>): {
  fileName: string | undefined;
  contentType: string | undefined;
} {
  const disposition = headers["content-disposition"] ?? "";
  return { fileName: /filename="?([^";]+)"?/.exec(disposition)?.[1], contentType: headers["content-type"] };
}

/**
 * Whether an answer that should be a report file is a ServiceResponse instead (a refusal: report not COMPLETE,
 * unknown id), judged from its first bytes: an XML or JSON answer whose root is ServiceResponse. A report file's
 * root is WAS_SCAN_REPORT or WAS_WEBAPP_REPORT (docs/qualys-api.md 6.1, 6.2), never ServiceResponse.
 */
export function looksLikeEnvelope(contentType: string | undefined, head: string): boolean {
  if (contentType !== undefined && !/xml|json/i.test(contentType)) return false;
  const start = head
    .replace(/^\uFEFF/, "")
    .trimStart()
    .replace(/^<\?xml[^>]*\?>\s*/, "");
  return start.startsWith("<ServiceResponse") || /^\{\s*"ServiceResponse"/.test(start);
}

/** Read an envelope that came instead of a file: its refusal becomes the typed error. */
function refuseEnvelope(body: string, request: RequestInfo): never {
  readServiceResponse(body, request);
  throw new QualysParseError("expected a report file but got a ServiceResponse", request, "");
}

function isoCriterion(name: "createdAfter" | "createdBefore", value: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw new RangeError(
      `report criteria ${name}: "${value}" is not an ISO 8601 date such as 2026-01-31T00:00:00Z`,
    );
  // docs/qualys-api.md 3.3: dates in filters are UTC `YYYY-MM-DDTHH:MM:SSZ`.
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function idList(name: string, ids: readonly number[]): string {
  for (const id of ids)
    if (!Number.isSafeInteger(id) || id < 1)
      throw new RangeError(`report criteria ${name}: ${id} is not a positive integer`);
  return ids.join(",");
}

/** The QPS criteria for report search criteria (docs/qualys-api.md 3.3, 3.10). */
export function reportCriteria(criteria: ReportCriteria): Criterion[] {
  const out: Criterion[] = [];
  if (criteria.ids !== undefined) {
    // An empty list matches nothing; `id IN` with no value would be refused.
    out.push(
      criteria.ids.length > 0
        ? { field: "id", operator: "IN", value: idList("ids", criteria.ids) }
        : { field: "id", operator: "EQUALS", value: "0" },
    );
  }
  if (criteria.name !== undefined) out.push({ field: "name", operator: "EQUALS", value: criteria.name });
  if (criteria.nameContains !== undefined)
    out.push({ field: "name", operator: "CONTAINS", value: criteria.nameContains });
  if (criteria.type !== undefined) out.push({ field: "type", operator: "EQUALS", value: criteria.type });
  if (criteria.format !== undefined)
    out.push({ field: "format", operator: "EQUALS", value: criteria.format });
  if (criteria.status !== undefined)
    out.push({ field: "status", operator: "EQUALS", value: criteria.status });
  if (criteria.createdAfter !== undefined)
    out.push({
      field: "creationDate",
      operator: "GREATER",
      value: isoCriterion("createdAfter", criteria.createdAfter),
    });
  if (criteria.createdBefore !== undefined)
    out.push({
      field: "creationDate",
      operator: "LESSER",
      value: isoCriterion("createdBefore", criteria.createdBefore),
    });
  if (criteria.tagIds !== undefined && criteria.tagIds.length > 0)
    out.push({ field: "tags.id", operator: "IN", value: idList("tagIds", criteria.tagIds) });
  return out;
}

/** WAS reports (docs/qualys-api.md 3.10): create, status until COMPLETE, search, download the raw file. */
export class WasReportApi {
  private readonly saved: QpsObjects<ReportSummary>;

  constructor(
    private readonly core: HttpCore,
    pageSize: number,
  ) {
    this.saved = new QpsObjects(core, "report", "Report", pageSize, QPS3, "was", toReportSummary);
  }

  async create(spec: ReportSpec): Promise<number> {
    const target =
      spec.type === "WAS_SCAN_REPORT"
        ? `<scanReport><target><scans>${spec.targetIds.map((id) => `<WasScan><id>${id}</id></WasScan>`).join("")}</scans></target></scanReport>`
        : `<webAppReport><target><webapps>${spec.targetIds.map((id) => `<WebApp><id>${id}</id></WebApp>`).join("")}</webapps></target></webAppReport>`;
    const data = `<Report><name>${escapeXml(spec.name)}</name><format>${spec.format}</format><type>${spec.type}</type><config>${target}</config></Report>`;
    const path = `${QPS3}/create/was/report`;
    const sr = await qpsCall(this.core, "POST", path, serviceRequest({ data }), false);
    const id = int(sr.records[0]?.value.id);
    if (id === undefined)
      throw new QualysParseError("the create answer has no report id", this.core.info("POST", path), "");
    return id;
  }

  /** RUNNING, COMPLETE or ERROR (COMPLETE is the ready value; the others are UNCONFIRMED). */
  async status(id: number): Promise<string> {
    const sr = await qpsCall(this.core, "GET", `${QPS3}/status/was/report/${id}`, undefined, true);
    return text(sr.records[0]?.value.status) ?? "";
  }

  async delete(id: number): Promise<void> {
    await qpsCall(this.core, "POST", `${QPS3}/delete/was/report/${id}`, "<ServiceRequest/>", false);
  }

  /**
   * Every saved report matching the criteria, in id order, page by page (`id GREATER lastId`, the client's page
   * size; docs/qualys-api.md 3.5).
   */
  search(criteria: ReportCriteria = {}): AsyncGenerator<ReportSummary> {
    return this.saved.list({ criteria: reportCriteria(criteria) });
  }

  /** How many saved reports match (`count/was/report`). */
  count(criteria: ReportCriteria = {}): Promise<number> {
    return this.saved.count(reportCriteria(criteria));
  }

  /**
   * The report file as one string (bounded by the client's `maxDownloadBytes`); the gate's downloads use it. For
   * large reports use `downloadStream`.
   */
  async download(id: number): Promise<ReportFile<string>> {
    const path = `${QPS3}/download/was/report/${id}`;
    return this.core.callAndRead(
      { family: "qps", method: "GET", path, idempotent: true, download: true },
      (response) => {
        const meta = fileMeta(response.headers);
        if (looksLikeEnvelope(meta.contentType, response.body.slice(0, HEAD_BYTES)))
          refuseEnvelope(response.body, this.core.info("GET", path));
        return { ...meta, body: response.body };
      },
    );
  }

  /**
   * The report file streamed from the socket, never held whole. An error envelope in place of the file (report
   * not COMPLETE, unknown id) is recognised from the first bytes and thrown as its typed error. Failures before
   * the first byte reaches the caller are retried like any idempotent call; failures in the body are not (the
   * caller has data already): they end the iteration with QualysTimeoutError (no data for `idleTimeoutMs`),
   * QualysAbortError (`signal` or the request scope) or QualysNetworkError. Stopping the iteration early closes
   * the connection.
   */
  async downloadStream(id: number, options: ReportDownloadOptions = {}): Promise<ReportFileStream> {
    const path = `${QPS3}/download/was/report/${id}`;
    const idleTimeoutMs = options.idleTimeoutMs ?? this.core.options.timeoutMs;
    if (!(idleTimeoutMs >= 0)) throw new RangeError(`idleTimeoutMs must be 0 or more, got ${idleTimeoutMs}`);
    // The body outlives this call, so the signals that may stop it are taken now (the scope is the caller's).
    const signals = [currentRequestScope()?.signal, options.signal].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    return this.core.callStream(
      { family: "qps", method: "GET", path, idempotent: true, download: true },
      { idleTimeoutMs, headBytes: HEAD_BYTES, signal: options.signal },
      async (response, info) => {
        const meta = fileMeta(response.headers);
        if (looksLikeEnvelope(meta.contentType, response.head.toString("utf8")))
          refuseEnvelope(await readStreamText(response, this.core.options.maxResponseBytes), info);
        return {
          ...meta,
          body: this.bodyOf(response, info, idleTimeoutMs, signals),
          cancel: () => response.cancel(),
        };
      },
    );
  }

  /** The head, then the rest, with transport failures mapped onto the error family (secrets masked). */
  private async *bodyOf(
    response: HttpStreamResponse,
    info: RequestInfo,
    idleTimeoutMs: number,
    signals: readonly AbortSignal[],
  ): AsyncGenerator<Uint8Array> {
    try {
      if (response.head.length > 0) yield response.head;
      for await (const chunk of response.rest) yield chunk;
    } catch (error) {
      const aborted = signals.find((signal) => signal.aborted);
      if (aborted) throw new QualysAbortError(abortText(aborted), info);
      const mapped = transportFailure(error, info, idleTimeoutMs, this.core.secrets);
      throw redactError(
        mapped ?? (error instanceof Error ? error : new Error(String(error))),
        this.core.secrets,
      );
    } finally {
      response.cancel();
    }
  }
}
