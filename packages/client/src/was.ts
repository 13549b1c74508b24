/** WAS API v3 endpoints (docs/qualys-api.md 3): searches as async iterators over both pagination styles. */

import type { RequestInfo } from "./errors.js";
import type { HttpCore } from "./http-client.js";
import { PAGE_SIZE } from "./limits.js";
import { readServiceResponse, type ServiceResponse } from "./qps-envelope.js";
import { int, text, type XmlNode } from "./xml.js";

export type Operator = "EQUALS" | "NOT EQUALS" | "CONTAINS" | "IN" | "GREATER" | "LESSER" | "NONE";

export interface Criterion {
  field: string;
  operator: Operator;
  value: string;
}

export interface SearchOptions {
  criteria?: readonly Criterion[];
  verbose?: boolean;
  /** Page size, 1 to 1000 (docs/qualys-api.md 3.5). */
  pageSize?: number;
  /**
   * `id`: `id GREATER lastId` until hasMoreRecords is false (stable while data changes);
   * `offset`: startFromOffset += pageSize (J1's style). Default `id`.
   */
  paging?: "id" | "offset";
}

/** Escape text for a ServiceRequest element or attribute. */
export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}

/** A ServiceRequest body in XML. */
export function serviceRequest(options: {
  criteria?: readonly Criterion[];
  limit?: number;
  offset?: number;
  verbose?: boolean;
  data?: string;
}): string {
  const prefs = [
    options.limit !== undefined ? `<limitResults>${options.limit}</limitResults>` : "",
    options.offset !== undefined ? `<startFromOffset>${options.offset}</startFromOffset>` : "",
    options.verbose ? "<verbose>true</verbose>" : "",
  ].join("");
  const criteria = (options.criteria ?? [])
    .map(
      (c) =>
        `<Criteria field="${escapeXml(c.field)}" operator="${escapeXml(c.operator)}">${escapeXml(c.value)}</Criteria>`,
    )
    .join("");
  return `<ServiceRequest>${prefs ? `<preferences>${prefs}</preferences>` : ""}${criteria ? `<filters>${criteria}</filters>` : ""}${options.data ? `<data>${options.data}</data>` : ""}</ServiceRequest>`;
}

/** One QPS call whose ServiceResponse is read inside the retry loop; answers asked as JSON (see `QpsObjects`). */
export function qpsCall(
  core: HttpCore,
  method: "GET" | "POST",
  path: string,
  body: string | undefined,
  idempotent: boolean,
) {
  return core.callAndRead(
    {
      family: "qps",
      method,
      path,
      ...(body === undefined ? {} : { body, contentType: "text/xml" }),
      accept: "application/json",
      idempotent,
    },
    (response) => readRecords(core, response.body, core.info(method, path)),
  );
}

/** Read a ServiceResponse and pass its warnings (over-long names and URLs cut) to the client's log hook. */
function readRecords(core: HttpCore, body: string, request: RequestInfo): ServiceResponse {
  const sr = readServiceResponse(body, request);
  for (const warning of sr.warnings) core.warn(warning);
  return sr;
}

/**
 * One searchable QPS object (`/qps/rest/{3.0|2.0}/{search,count,get}/{was|am}/{object}`). `search` yields the
 * permissive records; `list` and `details` yield the typed results of `normalize` (was-schema.ts).
 */
export class QpsObjects<T = XmlNode> {
  constructor(
    private readonly core: HttpCore,
    private readonly object: string,
    private readonly element: string,
    private readonly defaultPageSize: number,
    private readonly base = "/qps/rest/3.0",
    private readonly api = "was",
    private readonly normalize: (node: XmlNode) => T = (node) => node as T,
  ) {}

  /** Every matching record, normalized; paging as `search`. */
  async *list(options: SearchOptions = {}): AsyncGenerator<T> {
    for await (const node of this.search(options)) yield this.normalize(node);
  }

  /** One record by id, normalized; undefined when Qualys returns none. */
  async details(id: number | string): Promise<T | undefined> {
    const node = await this.get(id);
    return node === undefined ? undefined : this.normalize(node);
  }

  private async post(operation: string, body: string): Promise<ServiceResponse> {
    const path = `${this.base}/${operation}/${this.api}/${this.object}`;
    return this.core.callAndRead(
      // JSON answers, as Qualys' own Jenkins and GitHub WAS plugins request (docs/qualys-api.md 3.2); parsing
      // them costs a
      // fraction of XML. The readers accept either.
      {
        family: "qps",
        method: "POST",
        path,
        body,
        contentType: "text/xml",
        accept: "application/json",
        idempotent: true,
      },
      (response) => readRecords(this.core, response.body, this.core.info("POST", path)),
    );
  }

  /**
   * Every matching record, page by page. The next page is asked for as soon as this one has arrived, before its
   * records are handed out: while the caller works on a page, the next one is already on the wire, so a slow link
   * sets the pace instead of link plus processing. A caller that stops early costs at most one extra call.
   */
  async *search(options: SearchOptions = {}): AsyncGenerator<XmlNode> {
    const pageSize = options.pageSize ?? this.defaultPageSize;
    if (!Number.isInteger(pageSize) || pageSize < PAGE_SIZE.min || pageSize > PAGE_SIZE.max) {
      throw new RangeError(`pageSize must be ${PAGE_SIZE.min} to ${PAGE_SIZE.max}, got ${pageSize}`);
    }
    const base = (options.criteria ?? []).filter(
      (c) => !(options.paging !== "offset" && c.field === "id" && c.operator === "GREATER"),
    );
    let lastId = Number(
      (options.criteria ?? []).find((c) => c.field === "id" && c.operator === "GREATER")?.value ?? 0,
    );
    let offset = 1;
    const request = () =>
      this.post(
        "search",
        serviceRequest({
          criteria:
            options.paging === "offset"
              ? base
              : [...base, { field: "id", operator: "GREATER" as const, value: String(lastId) }],
          limit: pageSize,
          verbose: options.verbose ?? false,
          ...(options.paging === "offset" ? { offset } : {}),
        }),
      );
    let pending: Promise<ServiceResponse> | undefined = request();
    try {
      while (pending) {
        const sr = await pending;
        pending = undefined;
        const records = sr.records.filter((r) => r.element === this.element);
        if (sr.hasMoreRecords && records.length > 0) {
          const last = int(records[records.length - 1]?.value.id);
          // docs/qualys-api.md 3.5: lastId is present when hasMoreRecords is true; fall back on the last
          // record's id.
          lastId = sr.lastId ?? last ?? lastId;
          offset += records.length;
          pending = request();
        }
        for (const record of records) yield record.value;
      }
    } finally {
      // Stopped early: the prefetched page is not wanted; its failure must not surface as unhandled.
      pending?.catch(() => undefined);
    }
  }

  async count(criteria: readonly Criterion[] = []): Promise<number> {
    const sr = await this.post("count", serviceRequest({ criteria }));
    return sr.count ?? 0;
  }

  async get(id: number | string): Promise<XmlNode | undefined> {
    const path = `${this.base}/get/${this.api}/${this.object}/${encodeURIComponent(String(id))}`;
    return this.core.callAndRead(
      { family: "qps", method: "GET", path, accept: "application/json", idempotent: true },
      (response) => readRecords(this.core, response.body, this.core.info("GET", path)).records[0]?.value,
    );
  }
}

/** A web app as the inventory commands show it. */
export interface WebAppSummary {
  id: number;
  name: string;
  url: string;
  createdDate: string | undefined;
  updatedDate: string | undefined;
}

export function toWebAppSummary(node: XmlNode): WebAppSummary {
  return {
    id: int(node.id) ?? 0,
    name: text(node.name) ?? "",
    url: text(node.url) ?? "",
    createdDate: text(node.createdDate),
    updatedDate: text(node.updatedDate),
  };
}
