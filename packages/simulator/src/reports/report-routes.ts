/**
 * WAS report endpoints (docs/qualys-api.md 3.1, 3.10): create, status, download, search, count, get and
 * delete, in the QPS ServiceResponse envelope (XML or JSON by Accept), plus the lifecycle tick that completes
 * reports.
 */
import { Readable } from "node:stream";
import type { ApiRequest, ApiResponse, Handler, Route, SimContext } from "../http/types.js";
import type { SimReport, WasReportFormat, WasReportType } from "../model.js";
import { CriteriaError, type FieldSpecs } from "../wire/filters.js";
import {
  type QNode,
  qcdata,
  qlist,
  renderServiceResponse,
  requestFormat,
  responseFormat,
  type ServiceResponseBody,
} from "../wire/qps.js";
import { count, search } from "../wire/qps-search.js";
import {
  asArray,
  parseServiceRequest,
  type ServiceRequest,
  ServiceRequestError,
} from "../wire/service-request.js";
import { allocateId, isoDate, type SimWorld } from "../world.js";
import { generatedReportChunks } from "./generated-report.js";
import {
  fileKind,
  isQualysFormat,
  isSupportedType,
  QUALYS_FORMATS,
  renderReport,
  reportFileName,
  SIMULATED_FORMATS,
  SUPPORTED_TYPES,
} from "./report-render.js";

const BASE = "/qps/rest/3.0";
/** Every report answer points at the report schema (docs/qualys-api.md 3.4). */
const XSD_PATH = "/qps/xsd/3.0/was/report.xsd";

// ---------- Envelope helpers ----------

function respond(req: ApiRequest, body: ServiceResponseBody): ApiResponse {
  const rendered = renderServiceResponse(responseFormat(req.headers), body, {
    origin: req.url.origin,
    path: XSD_PATH,
  });
  return { status: 200, contentType: rendered.contentType, body: rendered.body };
}

/** A refusal: HTTP 200 with a responseCode and details, like every QPS error (docs/qualys-api.md 3.6). */
function failure(req: ApiRequest, code: string, message: string, resolution?: string): ApiResponse {
  return respond(req, {
    responseCode: code,
    error:
      resolution === undefined
        ? { errorMessage: message }
        : { errorMessage: message, errorResolution: resolution },
  });
}

class RequestProblem extends Error {
  readonly code: string;
  readonly resolution: string | undefined;
  constructor(message: string, resolution?: string, code = "INVALID_REQUEST") {
    super(message);
    this.name = "RequestProblem";
    this.code = code;
    this.resolution = resolution;
  }
}

/** Run a handler body, turning request problems into QPS refusals. */
function guarded(body: (req: ApiRequest, ctx: SimContext) => ApiResponse): Handler {
  return (req, ctx) => {
    try {
      return body(req, ctx);
    } catch (error) {
      if (error instanceof RequestProblem) return failure(req, error.code, error.message, error.resolution);
      if (error instanceof CriteriaError) {
        return failure(req, "INVALID_REQUEST", error.message, error.resolution);
      }
      if (error instanceof ServiceRequestError) return failure(req, "INVALID_REQUEST", error.message);
      throw error;
    }
  };
}

function readRequest(req: ApiRequest): ServiceRequest {
  return parseServiceRequest(req.body, requestFormat(req.headers));
}

function positiveId(raw: unknown, what: string): number {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new RequestProblem(
      `Invalid value for ${what} (${text.length > 0 ? text : "undefined"}).`,
      "Specify the id as a positive integer.",
    );
  }
  return Number(text);
}

/**
 * The report named in the path. An unknown id answers NOT_FOUND; that code is listed as UNCONFIRMED in
 * docs/qualys-api.md 3.6 and is the simulator's choice.
 */
function reportFromPath(req: ApiRequest, world: SimWorld): SimReport {
  const id = positiveId(req.params.id, "Report id");
  const report = world.reports.get(id);
  if (!report) {
    throw new RequestProblem(`Report with id ${id} does not exist.`, "Verify the Report ID.", "NOT_FOUND");
  }
  return report;
}

// ---------- Records ----------

/**
 * The Report record of get and search. Field names and order are UNCONFIRMED (docs/qualys-api.md 3.10 names
 * only id and status); the date is `creationDate`, the name of the search filter. `size` (bytes) appears once
 * the file exists.
 */
export function reportRecord(report: SimReport): QNode {
  return {
    id: report.id,
    name: qcdata(report.name),
    description: report.description === null ? undefined : qcdata(report.description),
    type: report.type,
    format: report.format,
    status: report.status,
    size: report.content ? report.content.length : undefined,
    creationDate: report.createdDate,
    updatedDate: report.updatedDate,
    owner: {
      id: report.owner.id,
      username: report.owner.username,
      firstName: qcdata(report.owner.firstName),
      lastName: qcdata(report.owner.lastName),
    },
    tags: qlist(
      "Tag",
      (report.tags ?? []).map((t) => ({ id: t.id, name: qcdata(t.name) })),
    ),
  };
}

const REPORT_FIELDS: FieldSpecs<SimReport> = {
  id: { type: "INTEGER", get: (r) => r.id },
  name: { type: "TEXT", get: (r) => r.name },
  type: { type: "KEYWORD", get: (r) => r.type, keywords: SUPPORTED_TYPES },
  format: { type: "KEYWORD", get: (r) => r.format, keywords: QUALYS_FORMATS },
  status: { type: "KEYWORD", get: (r) => r.status, keywords: ["RUNNING", "COMPLETE", "ERROR"] },
  creationDate: { type: "DATE", get: (r) => r.createdDate },
  "tags.id": { type: "INTEGER", get: (r) => (r.tags ?? []).map((t) => t.id) },
  "tags.name": { type: "TEXT", get: (r) => (r.tags ?? []).map((t) => t.name) },
};

// ---------- Create ----------

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function objectAt(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Ids listed under a container such as `scans`, accepting the shapes clients send: XML `<scans><WasScan><id>`
 * (one or many), JSON `{"WasScan": {"id": "1"}}` or `{"WasScan": [...]}`, a `set` wrapper, or an array of them.
 */
function collectIds(container: unknown, item: string, what: string): number[] {
  const ids: number[] = [];
  const visit = (node: unknown): void => {
    for (const entry of asArray(node)) {
      const rec = objectAt(entry);
      if (!rec) continue;
      if ("set" in rec) visit(rec.set);
      else if (item in rec) {
        for (const one of asArray(rec[item])) ids.push(positiveId(objectAt(one)?.id ?? one, `${what} id`));
      } else if ("id" in rec) ids.push(positiveId(rec.id, `${what} id`));
    }
  };
  visit(container);
  return [...new Set(ids)];
}

function readTypeAndFormat(report: Record<string, unknown>): {
  type: WasReportType;
  format: WasReportFormat;
} {
  const type = text(report.type)?.trim() ?? "";
  if (!isSupportedType(type)) {
    throw new RequestProblem(
      type.length > 0 ? `Report type '${type}' is not supported.` : "Report type is required.",
      `Supported report types: ${SUPPORTED_TYPES.join(", ")}.`,
    );
  }
  const format = text(report.format)?.trim().toUpperCase() ?? "";
  if (!isQualysFormat(format)) {
    throw new RequestProblem(
      format.length > 0 ? `Invalid value for format (${format}).` : "Report format is required.",
      `Values expected: ${QUALYS_FORMATS.join(", ")}.`,
    );
  }
  if (!SIMULATED_FORMATS.includes(format)) {
    throw new RequestProblem(
      `Report format ${format} is not supported by the simulator.`,
      `Formats the simulator produces: ${SIMULATED_FORMATS.join(", ")} (only XML has real content).`,
    );
  }
  return { type, format };
}

function scanTargets(world: SimWorld, config: Record<string, unknown>): number[] {
  const scanReport = objectAt(config.scanReport);
  if (!scanReport) {
    throw new RequestProblem(
      "config.scanReport is required for a WAS_SCAN_REPORT.",
      "Give the scans in config.scanReport.target.scans.WasScan.id.",
    );
  }
  const ids = collectIds(objectAt(scanReport.target)?.scans, "WasScan", "WasScan");
  if (ids.length === 0) {
    throw new RequestProblem(
      "A WAS_SCAN_REPORT needs at least one scan.",
      "Give the scans in config.scanReport.target.scans.WasScan.id.",
    );
  }
  for (const id of ids) {
    const scan = world.wasScans.get(id);
    if (!scan) throw new RequestProblem(`WasScan with id ${id} does not exist.`, "Verify the WasScan ID.");
    if (scan.status !== "FINISHED") {
      throw new RequestProblem(
        `WasScan ${id} is not finished (status ${scan.status}); only finished scans can be reported.`,
        "Wait until the scan status is FINISHED.",
      );
    }
  }
  return ids;
}

function tagIds(node: unknown): { option: "ALL" | "ANY"; ids: Set<number> } | null {
  const rec = objectAt(node);
  if (!rec) return null;
  const option = (text(rec.option)?.trim().toUpperCase() ?? "ANY") === "ALL" ? "ALL" : "ANY";
  return { option, ids: new Set(collectIds(rec.tagList, "Tag", "Tag")) };
}

function webAppTargets(world: SimWorld, config: Record<string, unknown>): number[] {
  const webAppReport = objectAt(config.webAppReport);
  if (!webAppReport) {
    throw new RequestProblem(
      "config.webAppReport is required for a WAS_WEBAPP_REPORT.",
      "Give the web applications in config.webAppReport.target.webapps.WebApp.id or target.tags.",
    );
  }
  const target = objectAt(webAppReport.target) ?? {};
  const listed = collectIds(target.webapps, "WebApp", "WebApp");
  for (const id of listed) {
    if (!world.webApps.has(id))
      throw new RequestProblem(`WebApp with id ${id} does not exist.`, "Verify the WebApp ID.");
  }
  const tags = objectAt(target.tags);
  const included = tagIds(tags?.included);
  const excluded = tagIds(tags?.excluded);
  const byTags: number[] = [];
  if (included && included.ids.size > 0) {
    const matches = (tagged: Set<number>, rule: { option: "ALL" | "ANY"; ids: Set<number> }) =>
      rule.option === "ALL"
        ? [...rule.ids].every((t) => tagged.has(t))
        : [...rule.ids].some((t) => tagged.has(t));
    for (const webApp of world.webApps.values()) {
      const tagged = new Set(webApp.tags.map((t) => t.id));
      if (!matches(tagged, included)) continue;
      if (excluded && excluded.ids.size > 0 && matches(tagged, excluded)) continue;
      byTags.push(webApp.id);
    }
  }
  const ids = [...new Set([...listed, ...byTags])];
  if (ids.length === 0) {
    throw new RequestProblem(
      listed.length === 0 && !included
        ? "A WAS_WEBAPP_REPORT needs a target."
        : "No web application matches the target.",
      "Give config.webAppReport.target.webapps.WebApp.id or target.tags.included.tagList.Tag.id.",
    );
  }
  return ids;
}

const createReport = guarded((req, ctx) => {
  const request = readRequest(req);
  const report = objectAt(request.data?.Report);
  if (!report)
    throw new RequestProblem("Missing data.Report in the request.", "Send ServiceRequest.data.Report.");
  const name = text(report.name)?.trim() ?? "";
  if (name.length === 0) throw new RequestProblem("Report name is required.", "Give data.Report.name.");
  if (name.length > 256) throw new RequestProblem("Report name is longer than 256 characters.");
  const description = text(report.description) ?? null;
  const { type, format } = readTypeAndFormat(report);
  const template = objectAt(report.template);
  if (template && template.id !== undefined) positiveId(template.id, "template id");
  const config = objectAt(report.config);
  if (!config)
    throw new RequestProblem(
      "Missing data.Report.config in the request.",
      "Give the report target in config.",
    );
  const targetIds =
    type === "WAS_SCAN_REPORT" ? scanTargets(ctx.world, config) : webAppTargets(ctx.world, config);

  const user = req.user;
  if (!user) throw new Error("report routes need an authenticated user");
  const now = ctx.now();
  const id = allocateId(ctx.world, "report");
  const kind = fileKind(format);
  ctx.world.reports.set(id, {
    id,
    name,
    description,
    type,
    format,
    status: "RUNNING",
    createdDate: isoDate(now),
    updatedDate: isoDate(now),
    owner: { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName },
    readyAt: now + ctx.options.reportDurationMs,
    targetIds,
    content: null,
    contentType: kind.contentType,
    fileName: reportFileName(name, id, format),
  });
  return respond(req, { responseCode: "SUCCESS", count: 1, data: [["Report", { id }]] });
});

// ---------- Status, get, download, delete ----------

const reportStatus = guarded((req, ctx) => {
  const report = reportFromPath(req, ctx.world);
  return respond(req, { responseCode: "SUCCESS", count: 1, data: [["Report", { status: report.status }]] });
});

const getReport = guarded((req, ctx) => {
  const report = reportFromPath(req, ctx.world);
  return respond(req, { responseCode: "SUCCESS", count: 1, data: [["Report", reportRecord(report)]] });
});

const downloadReport = guarded((req, ctx) => {
  const report = reportFromPath(req, ctx.world);
  const refuse = () =>
    new RequestProblem(
      `Report ${report.id} cannot be downloaded: its status is ${report.status}.`,
      report.status === "ERROR"
        ? "The report failed; create it again."
        : "Poll status/was/report until the status is COMPLETE.",
    );
  if (report.status !== "COMPLETE") throw refuse();
  let body: ApiResponse["body"];
  if (report.generated) {
    // Produced while it is written: a document of any size leaves with flat memory.
    body = Readable.from(generatedReportChunks(ctx.world, report, ctx.now()), { objectMode: false });
  } else if (report.live) {
    const outcome = renderReport(ctx.world, report, ctx.now());
    if (!outcome.ok) {
      throw new RequestProblem(
        `Report ${report.id} cannot be downloaded: ${outcome.reason}.`,
        "Create the report again.",
      );
    }
    body = outcome.content;
  } else {
    if (!report.content) throw refuse();
    body = report.content;
  }
  // The raw file, no envelope; the GitHub Action takes the file name from Content-Disposition
  // (docs/qualys-api.md 3.10).
  return {
    status: 200,
    contentType: report.contentType,
    body,
    headers: { "Content-Disposition": `attachment; filename="${report.fileName}"` },
  };
});

const deleteReport = guarded((req, ctx) => {
  const report = reportFromPath(req, ctx.world);
  ctx.world.reports.delete(report.id);
  return respond(req, { responseCode: "SUCCESS", count: 1, data: [["Report", { id: report.id }]] });
});

// ---------- Search and count ----------

const searchReports = guarded((req, ctx) =>
  respond(
    req,
    search(ctx.world.reports.values(), readRequest(req), REPORT_FIELDS, "Report", (r) => reportRecord(r)),
  ),
);

// docs/qualys-api.md 3.4: for count calls `count` is the total and there is no data.
const countReports = guarded((req, ctx) =>
  respond(req, count(ctx.world.reports.values(), readRequest(req), REPORT_FIELDS)),
);

// ---------- Lifecycle ----------

/**
 * Complete every report whose time has come: render its file from the world as it is now, or mark it ERROR when
 * its targets are gone. Called lazily before each request (http/types.ts SimModuleDef.tick).
 */
export function tickReports(ctx: SimContext): void {
  const now = ctx.now();
  for (const report of ctx.world.reports.values()) {
    if (report.status !== "RUNNING" || report.readyAt > now) continue;
    const outcome = renderReport(ctx.world, report, report.readyAt);
    report.updatedDate = isoDate(report.readyAt);
    if (outcome.ok) {
      report.content = outcome.content;
      report.status = "COMPLETE";
    } else {
      report.status = "ERROR";
    }
  }
}

function route(method: Route["method"], path: string, handler: Handler): Route {
  return { method, path: `${BASE}${path}`, family: "qps", module: "WAS", handler };
}

export const reportRoutes: Route[] = [
  route("POST", "/create/was/report", createReport),
  route("GET", "/status/was/report/{id}", reportStatus),
  route("GET", "/download/was/report/{id}", downloadReport),
  route("POST", "/search/was/report", searchReports),
  route("GET|POST", "/count/was/report", countReports),
  route("GET", "/get/was/report/{id}", getReport),
  route("POST", "/delete/was/report/{id}", deleteReport),
];
