/**
 * Shared plumbing of the WAS API v3 handlers: reading the ServiceRequest, answering in the client's format,
 * refusals as HTTP 200 ServiceResponses (qualys-api.md 3.6), and the two pagination styles (3.5).
 */
import type { ApiRequest, ApiResponse, Handler, SimContext } from "../http/types.js";
import { CriteriaError, compileCriteria, type FieldSpecs } from "../wire/filters.js";
import {
  type QNode,
  renderServiceResponse,
  requestFormat,
  responseFormat,
  type ServiceResponseBody,
} from "../wire/qps.js";
import { parseServiceRequest, type ServiceRequest, ServiceRequestError } from "../wire/service-request.js";

/** A refusal the handler raises; answered with HTTP 200 and this responseCode. */
export class QpsProblem extends Error {
  constructor(
    readonly responseCode: string,
    message: string,
    readonly resolution?: string,
  ) {
    super(message);
    this.name = "QpsProblem";
  }
}

/** Answer with a ServiceResponse pointing at `/qps/xsd/<api>/<object>.xsd` (`api` is `3.0/was` or `2.0/am`). */
export function answer(
  req: ApiRequest,
  xsdObject: string,
  body: ServiceResponseBody,
  api = "3.0/was",
): ApiResponse {
  const rendered = renderServiceResponse(responseFormat(req.headers), body, {
    origin: req.url.origin,
    path: `/qps/xsd/${api}/${xsdObject}.xsd`,
  });
  return { status: 200, contentType: rendered.contentType, body: rendered.body };
}

/** Wrap a handler so that request problems become QPS refusals with HTTP 200. */
export function qpsHandler(
  xsdObject: string,
  body: (req: ApiRequest, ctx: SimContext) => ApiResponse,
  api = "3.0/was",
): Handler {
  return (req, ctx) => {
    try {
      return body(req, ctx);
    } catch (error) {
      if (error instanceof QpsProblem) {
        return answer(
          req,
          xsdObject,
          {
            responseCode: error.responseCode,
            error: error.resolution
              ? { errorMessage: error.message, errorResolution: error.resolution }
              : { errorMessage: error.message },
          },
          api,
        );
      }
      if (error instanceof CriteriaError) {
        return answer(
          req,
          xsdObject,
          {
            responseCode: "INVALID_REQUEST",
            error: { errorMessage: error.message, errorResolution: error.resolution },
          },
          api,
        );
      }
      if (error instanceof ServiceRequestError) {
        return answer(
          req,
          xsdObject,
          { responseCode: "INVALID_REQUEST", error: { errorMessage: error.message } },
          api,
        );
      }
      throw error;
    }
  };
}

export function readRequest(req: ApiRequest): ServiceRequest {
  return parseServiceRequest(req.body, requestFormat(req.headers));
}

/** The id in the path, as a positive integer. */
export function pathId(req: ApiRequest, object: string): number {
  const raw = req.params.id ?? "";
  if (!/^\d+$/.test(raw)) {
    throw new QpsProblem("INVALID_REQUEST", `Invalid ${object} id: ${raw}.`, "Specify the id as Long.");
  }
  return Number(raw);
}

/** UNCONFIRMED (qualys-api.md 3.6): a missing object answers NOT_FOUND with HTTP 200. */
export function notFound(object: string, id: number | string): QpsProblem {
  return new QpsProblem("NOT_FOUND", `${object} with id ${id} does not exist or is not accessible.`);
}

export interface PageRequest {
  limit: number;
  offset: number;
  startFromId: number | undefined;
  verbose: boolean;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export function readPaging(sr: ServiceRequest): PageRequest {
  const { limitResults, startFromOffset, startFromId, verbose } = sr.preferences;
  const limit = limitResults === undefined ? DEFAULT_LIMIT : Number(limitResults);
  // qualys-api.md 3.5: page size 1 to 1,000.
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new QpsProblem(
      "INVALID_REQUEST",
      `Preferences: Invalid value for limitResults (${limitResults}).`,
      `Specify a value from 1 to ${MAX_LIMIT}.`,
    );
  }
  const offset = startFromOffset === undefined ? 1 : Number(startFromOffset);
  if (!Number.isInteger(offset) || offset < 1) {
    throw new QpsProblem(
      "INVALID_REQUEST",
      `Preferences: Invalid value for startFromOffset (${startFromOffset}).`,
      "Specify a positive integer; offsets start at 1.",
    );
  }
  let fromId: number | undefined;
  if (startFromId !== undefined) {
    fromId = Number(startFromId);
    if (!Number.isInteger(fromId) || fromId < 0) {
      throw new QpsProblem(
        "INVALID_REQUEST",
        `Preferences: Invalid value for startFromId (${startFromId}).`,
        "Specify the id as Long.",
      );
    }
  }
  return { limit, offset, startFromId: fromId, verbose: verbose === "true" };
}

/**
 * Search over records in id order: criteria, then `startFromId`, then the offset page. `count` is the number of
 * records in this page; `lastId` appears only when `hasMoreRecords` is true (real J1 pagination recording).
 * An empty result has only `count` 0 (real iterateWebAppsFilteredNotFound recording).
 */
export function search<T extends { id: number }>(
  records: Iterable<T>,
  sr: ServiceRequest,
  specs: FieldSpecs<T>,
  element: string,
  render: (record: T, verbose: boolean) => QNode,
): ServiceResponseBody {
  const paging = readPaging(sr);
  const matches = compileCriteria(sr.criteria, specs);
  const start = paging.offset - 1;
  const page: T[] = [];
  let seen = 0;
  let more = false;
  for (const record of records) {
    if (paging.startFromId !== undefined && record.id < paging.startFromId) continue;
    if (!matches(record)) continue;
    if (seen++ < start) continue;
    if (page.length === paging.limit) {
      more = true;
      break;
    }
    page.push(record);
  }
  if (page.length === 0) return { responseCode: "SUCCESS", count: 0 };
  const last = page[page.length - 1];
  return {
    responseCode: "SUCCESS",
    count: page.length,
    hasMoreRecords: more,
    ...(more && last ? { lastId: last.id } : {}),
    data: page.map((r) => [element, render(r, paging.verbose)] as const),
  };
}

/** Count records matching the criteria (count calls: `count` is the total, no data). */
export function count<T>(
  records: Iterable<T>,
  sr: ServiceRequest,
  specs: FieldSpecs<T>,
): ServiceResponseBody {
  const matches = compileCriteria(sr.criteria, specs);
  let n = 0;
  for (const record of records) if (matches(record)) n++;
  return { responseCode: "SUCCESS", count: n };
}
