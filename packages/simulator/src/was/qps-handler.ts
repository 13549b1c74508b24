/**
 * Shared plumbing of the QPS handlers (WAS API v3, AM): reading the ServiceRequest, answering in the client's
 * format, refusals as HTTP 200 ServiceResponses (docs/qualys-api.md 3.6), and routes for search / count /
 * get.
 */
import type { ApiRequest, ApiResponse, Handler, Route, SimContext } from "../http/types.js";
import { CriteriaError, type FieldSpecs } from "../wire/filters.js";
import {
  type QNode,
  renderServiceResponse,
  requestFormat,
  responseFormat,
  type ServiceResponseBody,
} from "../wire/qps.js";
import { count, search } from "../wire/qps-search.js";
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

/** UNCONFIRMED (docs/qualys-api.md 3.6): a missing object answers NOT_FOUND with HTTP 200. */
export function notFound(object: string, id: number | string): QpsProblem {
  return new QpsProblem("NOT_FOUND", `${object} with id ${id} does not exist or is not accessible.`);
}

export interface ObjectRoutes<T extends { id: number }> {
  /** `/qps/rest/<base>`, e.g. `3.0` for WAS or `2.0` for AM. */
  base: "3.0" | "2.0";
  /** Path segment: `was` or `am`. */
  api: "was" | "am";
  /** Object name in the path and the schema, e.g. `webappauthrecord`. */
  object: string;
  /** Record element, e.g. `WebAppAuthRecord`. */
  element: string;
  module: "WAS" | "AM";
  records: (ctx: SimContext) => Iterable<T>;
  byId: (ctx: SimContext, id: number) => T | undefined;
  specs: (ctx: SimContext) => FieldSpecs<T>;
  render: (ctx: SimContext, record: T, verbose: boolean) => QNode;
}

/** `search` (POST), `count` (GET or POST) and `get/{id}` (GET) for one object: the pattern every QPS object follows. */
export function objectRoutes<T extends { id: number }>(o: ObjectRoutes<T>): Route[] {
  const prefix = `/qps/rest/${o.base}`;
  const api = `${o.base}/${o.api}`;
  return [
    {
      method: "POST",
      path: `${prefix}/search/${o.api}/${o.object}`,
      family: "qps",
      module: o.module,
      handler: qpsHandler(
        o.object,
        (req, ctx) =>
          answer(
            req,
            o.object,
            search(o.records(ctx), readRequest(req), o.specs(ctx), o.element, (r, v) => o.render(ctx, r, v)),
            api,
          ),
        api,
      ),
    },
    {
      method: "GET|POST",
      path: `${prefix}/count/${o.api}/${o.object}`,
      family: "qps",
      module: o.module,
      handler: qpsHandler(
        o.object,
        (req, ctx) => answer(req, o.object, count(o.records(ctx), readRequest(req), o.specs(ctx)), api),
        api,
      ),
    },
    {
      method: "GET",
      path: `${prefix}/get/${o.api}/${o.object}/{id}`,
      family: "qps",
      module: o.module,
      handler: qpsHandler(
        o.object,
        (req, ctx) => {
          const id = pathId(req, o.element);
          const record = o.byId(ctx, id);
          if (!record) throw notFound(o.element, id);
          return answer(
            req,
            o.object,
            { responseCode: "SUCCESS", count: 1, data: [[o.element, o.render(ctx, record, true)]] },
            api,
          );
        },
        api,
      ),
    },
  ];
}
